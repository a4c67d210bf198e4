"""The check run: one at a time (a lease), page by page in certificate-id order, each page's
outcomes committed with the checkpoint, so a crashed run resumes where its last page ended."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.service import catalog_for, local_date
from backend.config import Settings
from backend.core.errors import Conflict
from backend.core.ids import uuid7
from backend.db.engine import transaction
from backend.jobs import service as jobs
from backend.registry.actions_part import act
from backend.registry.adapter import Answer, Registry, RegistryUnavailable
from backend.registry.compare import compare
from backend.registry.ledger_part import LedgerEntry, count_active, page
from backend.registry.models import RegistryCheck, RegistryRun
from backend.workers import service as workers

log = logging.getLogger("tezuo.registry")

LEASE = "registry.check"
LEASE_SECONDS = 120.0  # a crashed run's lease runs out this long after its last page
Failure = str  # why there is no answer
Progress = Callable[[int, int], None]


class RunInProgress(Conflict):
    code = "registry_run_in_progress"


@dataclass(frozen=True)
class RunOptions:
    concurrency: int = 4  # requests in flight at once
    page_size: int = 500  # certificates per checkpoint


async def _ask_group(registry: Registry, group: Sequence[LedgerEntry]) -> list[Answer | Failure]:
    """One request for the group; if it fails as a whole, each certificate alone (so one bad
    number does not turn its batch-mates into errors). Failures stay failures, never answers."""
    try:
        return list(await registry.query_many([e.triple for e in group]))
    except RegistryUnavailable as exc:
        if len(group) == 1:
            return [str(exc)]
    out: list[Answer | Failure] = []
    for e in group:
        try:
            out.append(await registry.query(e.triple))
        except RegistryUnavailable as exc:
            out.append(str(exc))
    return out


async def ask(registry: Registry, entries: Sequence[LedgerEntry], concurrency: int) -> list[Answer | Failure]:
    size = max(1, getattr(registry, "batch_size", 1))
    groups = [entries[i : i + size] for i in range(0, len(entries), size)]
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(group: Sequence[LedgerEntry]) -> list[Answer | Failure]:
        async with gate:
            return await _ask_group(registry, group)

    results = await asyncio.gather(*(one(g) for g in groups))
    return [answer for chunk in results for answer in chunk]


async def _start(
    maker: async_sessionmaker[AsyncSession], settings: Settings, now: datetime, owner: str, trigger: str
) -> RegistryRun:
    async with transaction(maker) as db:
        if not await jobs.acquire_lease(db, LEASE, owner, now, LEASE_SECONDS):
            raise RunInProgress(
                "全国系统核验正在进行中", extra={"holder": await jobs.lease_holder(db, LEASE, now)}
            )
        run = await db.scalar(
            select(RegistryRun).where(RegistryRun.status == "running").order_by(RegistryRun.started_at.desc())
        )
        if run is not None:
            run.resumes += 1
            log.info("resuming registry run %s after %d certificates", run.id, run.checked)
        else:
            run = RegistryRun(
                day=local_date(now, catalog_for(settings).policy),
                trigger=trigger,
                status="running",
                started_at=now,
                total=await count_active(db),
                checked=0, matched=0, discrepancies=0, errors=0, resumes=0, requests=0,
            )  # fmt: skip
            db.add(run)
        await db.flush()
        return run


async def _store_page(
    db: AsyncSession,
    settings: Settings,
    now: datetime,
    run: RegistryRun,
    entries: Sequence[LedgerEntry],
    answers: Sequence[Answer | Failure],
) -> tuple[int, int, int]:
    ctx = workers.context(db, settings, now)
    rows, todo = [], []
    matched = found = errors = 0
    for e, a in zip(entries, answers, strict=True):
        check_id = uuid7()
        if isinstance(a, Answer):
            outcome = compare(e, a, ctx.today)
            answer_d = _builtins(a)
        else:
            outcome, answer_d = "error", {}
        rows.append({
            "id": check_id, "run_id": run.id, "certificate_id": e.certificate_id, "person_id": e.person_id,
            "scope_path": e.scope_path, "item_key": e.item_key, "outcome": outcome, "answer": answer_d,
            "error": None if isinstance(a, Answer) else a[:2000], "checked_at": now,
        })  # fmt: skip
        if outcome == "match":
            matched += 1
        elif outcome == "error":
            errors += 1
        else:
            found += 1
            assert isinstance(a, Answer)
            todo.append((check_id, e, a, outcome))
    await db.execute(insert(RegistryCheck), rows)
    for check_id, e, a, outcome in todo:
        await act(ctx, run.id, check_id, e, a, outcome)
    return matched, found, errors


def _builtins(a: Answer) -> dict[str, object]:
    import msgspec

    out: dict[str, object] = msgspec.to_builtins(a)
    return out


async def run_check(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    registry: Registry,
    clock: Callable[[], datetime],
    *,
    owner: str,
    trigger: str = "manual",
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> RegistryRun:
    """Check every active certificate once in the current (or a resumed) run; returns the run."""
    opts = options or RunOptions()
    ciphers = workers.ciphers_for(settings.secret_key)
    run = await _start(maker, settings, clock(), owner, trigger)
    requests_before = getattr(registry, "requests", 0)
    try:
        while True:
            async with maker() as db:
                entries = await page(db, ciphers, run.cursor, opts.page_size)
            if not entries:
                break
            answers = await ask(registry, entries, opts.concurrency)
            async with transaction(maker) as db:
                now = clock()
                if not await jobs.acquire_lease(db, LEASE, owner, now, LEASE_SECONDS):
                    raise RunInProgress("另一个核验进程接管了本次核验")
                current = await db.get(RegistryRun, run.id, populate_existing=True)
                assert current is not None
                matched, found, errors = await _store_page(db, settings, now, current, entries, answers)
                current.cursor = entries[-1].certificate_id
                current.checked += len(entries)
                current.matched += matched
                current.discrepancies += found
                current.errors += errors
                sent = getattr(registry, "requests", 0)
                current.requests += sent - requests_before
                requests_before = sent
                run = current
            if progress:
                progress(run.checked, max(run.total, run.checked))
        async with transaction(maker) as db:
            current = await db.get(RegistryRun, run.id, populate_existing=True)
            assert current is not None
            current.status = "completed_with_errors" if current.errors else "completed"
            current.finished_at = clock()
            current.total = max(current.total, current.checked)
            run = current
        log.info(
            "registry run %s: %d checked, %d match, %d discrepancies, %d errors",
            run.id, run.checked, run.matched, run.discrepancies, run.errors,
        )  # fmt: skip
        return run
    finally:
        async with transaction(maker) as db:
            await jobs.release_lease(db, LEASE, owner)


def new_owner(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
