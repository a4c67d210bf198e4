"""The scheduler loop: hold the lease, claim due timers, run each handler in its own transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config import Settings
from backend.core.clock import Clock
from backend.db.engine import transaction
from backend.jobs import service
from backend.jobs.models import PENDING, Timer
from backend.jobs.registry import HANDLERS, Handler, JobContext, Registry

log = logging.getLogger("tezuo.jobs")

Seed = Callable[[AsyncSession, datetime], Awaitable[object]]
LEASE_NAME = "scheduler"


class LeaseLost(Exception):
    """Our claim on a timer expired and another scheduler took it: roll our work back."""


@dataclass(frozen=True)
class Outcome:
    """What one fired timer came to: done, retry (pending again), failed, or lost (lease taken)."""

    kind: str
    dedupe_key: str
    status: str
    attempt: int
    error: str | None = None


def builtin_seeds() -> list[Seed]:
    from backend.audit import jobs as audit_jobs
    from backend.jobs import builtin
    from backend.media import jobs as media_jobs
    from backend.registry import jobs as registry_jobs
    from backend.workers import scan_part

    return [builtin.seed, scan_part.seed, audit_jobs.seed, registry_jobs.seed, media_jobs.seed]


class Scheduler:
    """Fires due timers. Time comes only from `clock`, so tests move time instead of sleeping.

    Any number of schedulers may call `run_once` at once: claims are atomic, a timer runs under
    one owner at a time. `run_forever` additionally holds the DB lease so that in a deployment
    one process does the polling and the others stand by.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        owner: str,
        handlers: Mapping[str, str | Handler] = HANDLERS,
        *,
        batch: int = 50,
        lease_seconds: float = 300,
        seeds: Iterable[Seed] | None = None,
        lease_name: str = LEASE_NAME,
        settings: Settings | None = None,
    ):
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.owner = owner
        self.registry = Registry(handlers)
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.seeds = list(builtin_seeds() if seeds is None else seeds)
        self.lease_name = lease_name
        self.settings = settings
        self.leader: bool | None = None  # None until the first tick

    async def run_once(self) -> list[Outcome]:
        """Claim up to `batch` due timers and fire them one by one; returns what happened."""
        async with transaction(self.sessionmaker) as db:
            claimed = await service.claim_due(db, self.owner, self.clock(), self.batch, self.lease_seconds)
        return [await self._fire(timer) for timer in claimed]

    async def _fire(self, timer: Timer) -> Outcome:
        try:
            handler = self.registry.resolve(timer.kind)
            async with transaction(self.sessionmaker) as db:
                await handler(JobContext(db=db, timer=timer, now=self.clock(), settings=self.settings))
                # Done in the handler's own transaction: its writes and "done" commit together.
                if not await service.complete(db, timer, self.owner, self.clock()):
                    raise LeaseLost(timer.dedupe_key)
        except LeaseLost:
            log.warning("timer %s: lease lost to another scheduler, work rolled back", timer.dedupe_key)
            return Outcome(timer.kind, timer.dedupe_key, "lost", timer.attempts)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("timer %s (%s) attempt %d failed", timer.dedupe_key, timer.kind, timer.attempts)
            async with transaction(self.sessionmaker) as db:
                status = await service.fail(db, timer, self.owner, self.clock(), error)
            label = "retry" if status == PENDING else status or "lost"
            return Outcome(timer.kind, timer.dedupe_key, label, timer.attempts, error)
        log.info("fired %s (%s), attempt %d", timer.dedupe_key, timer.kind, timer.attempts)
        return Outcome(timer.kind, timer.dedupe_key, "done", timer.attempts)

    async def hold_lease(self, ttl_seconds: float) -> bool:
        """Take or renew the scheduler lease; True while this owner is the one scheduler."""
        async with transaction(self.sessionmaker) as db:
            return await service.acquire_lease(db, self.lease_name, self.owner, self.clock(), ttl_seconds)

    async def release_lease(self) -> None:
        async with transaction(self.sessionmaker) as db:
            await service.release_lease(db, self.lease_name, self.owner)

    async def _seed(self) -> None:
        async with transaction(self.sessionmaker) as db:
            for seed in self.seeds:
                await seed(db, self.clock())

    async def tick(self, ttl_seconds: float) -> bool:
        """One poll: renew the lease and, while it is held, fire everything that is due."""
        held = await self.hold_lease(ttl_seconds)
        if held and not self.leader:
            log.info("scheduler %s holds the lease", self.owner)
            await self._seed()
        elif self.leader and not held:
            log.warning("scheduler %s lost the lease; standing by", self.owner)
        elif self.leader is None and not held:
            log.info("scheduler %s standing by: another scheduler holds the lease", self.owner)
        self.leader = held
        while held:
            outcomes = await self.run_once()
            if len(outcomes) < self.batch:
                break
            held = self.leader = await self.hold_lease(ttl_seconds)
        return held

    async def run_forever(self, poll_seconds: float = 5, stop: asyncio.Event | None = None) -> None:
        """Poll until `stop` is set; a failing database is logged once, then retried quietly."""
        stop = stop or asyncio.Event()
        ttl = max(30.0, poll_seconds * 3)
        broken = False
        try:
            while not stop.is_set():
                try:
                    await self.tick(ttl)
                    if broken:
                        log.info("scheduler %s: database reachable again", self.owner)
                    broken = False
                except Exception:
                    if not broken:
                        log.exception(
                            "scheduler %s: poll failed; retrying every %ss", self.owner, poll_seconds
                        )
                    broken = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_seconds)
        finally:
            if self.leader:
                with contextlib.suppress(Exception):
                    await self.release_lease()
                self.leader = False
                log.info("scheduler %s released the lease", self.owner)
