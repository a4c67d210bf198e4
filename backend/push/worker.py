"""The delivery worker: sends outbox rows announced on the bus stream or found due by a sweep.

Two loops share one worker. `consume` reads the `push` stream in the consumer group
`push-delivery`, so several API processes split the work (Redis) — or the one process does
(in-process bus). `sweep`, every second, takes over stream entries a dead consumer left
unacknowledged (XAUTOCLAIM) and claims outbox rows that are due without any announcement:
retries whose backoff has passed, rows announced while Redis was down, rows whose sender died
(lease expired). The outbox row, not the stream entry, is the record: an entry is only a hint,
so losing one delays a message by at most a sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus.protocol import Bus, NoGroup, StreamEntry
from backend.core.clock import Clock
from backend.db.engine import transaction
from backend.push import service
from backend.push.models import PushMessage, PushSubscription
from backend.push.webpush import PushResult, PushSender, Target

log = logging.getLogger("tezuo.push")
GROUP = "push-delivery"
# Stream reads being delivered at once. Small on purpose: while a batch is out, the next alarms pile
# up and go out together in the next one, and a batch costs two transactions whatever its size.
PIPELINE = 2
READ_COUNT = 50  # stream entries (about one alarm each) per read
# After a read that found fewer entries than READ_COUNT, wait this long and take what arrived
# meanwhile into the same batch: a batch costs two transactions (claim, settle) whatever its size,
# about 13 ms of CPU on SQLite, against about 1.5 ms per alarm in it, so at tens of alarms a second
# this halves the delivery CPU per alarm for 20 ms more latency (docs/BENCHMARKS.md, alarms).
LINGER_SECONDS = 0.02
PURGE_EVERY = timedelta(hours=1)
LEASE_MARGIN_SECONDS = 2.0

Outcome = tuple[PushMessage, PushSubscription | None, PushResult | None]


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DeliveryWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Bus,
        sender: PushSender,
        clock: Clock,
        owner: str | None = None,
        *,
        sweep_seconds: float = 1.0,
        lease_seconds: float = 30.0,
        claim_idle_ms: int = 15_000,
        batch: int = 100,
        linger_seconds: float = LINGER_SECONDS,
    ):
        self.sessionmaker, self.bus, self.sender, self.clock = sessionmaker, bus, sender, clock
        self.owner = owner or default_owner()
        self.sweep_seconds, self.lease_seconds, self.claim_idle_ms = (
            sweep_seconds,
            lease_seconds,
            claim_idle_ms,
        )
        self.batch = batch  # sent concurrently: a batch must finish well inside the lease
        self.linger_seconds = linger_seconds
        self.sent = 0
        self._in_flight: set[uuid.UUID] = set()
        self._purged_at: datetime | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Consume and sweep until `stop` is set."""
        await asyncio.gather(self._consume_loop(stop), self._sweep_loop(stop))

    async def deliver(self, ids: Sequence[uuid.UUID] | None = None) -> dict[str, int]:
        """Claim the given rows (or the due ones), send them, record the outcomes.

        Rows this worker is still sending or settling are never claimed again by it, even if their
        lease ran out meanwhile (a starved process settling late): that would send them twice.
        """
        if ids is not None:
            ids = [i for i in ids if i not in self._in_flight]
            if not ids:
                return {}
        async with transaction(self.sessionmaker) as db:
            claimed = await service.claim(
                db,
                self.owner,
                self.clock(),
                self.lease_seconds,
                ids=ids,
                limit=self.batch,
                exclude=self._in_flight,
            )
        if not claimed:
            return {}
        mine = {message.id for message, _ in claimed}
        self._in_flight |= mine
        try:
            outcomes = await asyncio.gather(*(self._send(message, sub) for message, sub in claimed))
            async with transaction(self.sessionmaker) as db:
                counts = await service.settle(db, self.owner, self.clock(), outcomes)
        finally:
            self._in_flight -= mine
        self.sent += counts.get("sent", 0)
        return counts

    async def sweep(self) -> int:
        """One sweep: orphaned stream entries first, then whatever is due in the outbox."""
        try:
            stale = await self.bus.claim_stale(
                service.STREAM, GROUP, self.owner, min_idle_ms=self.claim_idle_ms, count=self.batch
            )
            if stale:
                log.info("push: took over %d stream entries left by a stopped worker", len(stale))
                await self._handle(stale)
        except NoGroup:
            pass
        except Exception as exc:  # the bus is down: the outbox below is the record anyway
            log.debug("push: no stale stream entries this sweep (%s)", exc)
        await self._purge()
        total = 0
        while True:
            counts = await self.deliver()
            total += sum(counts.values())
            if sum(counts.values()) < self.batch:
                return total

    async def _purge(self) -> None:
        """Hourly, drop settled messages past retention (every worker may; deleting is idempotent)."""
        now = self.clock()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        async with transaction(self.sessionmaker) as db:
            purged = await service.purge_settled(db, now)
        if purged:
            log.info("push: purged %d settled messages older than %s", purged, service.RETENTION)

    async def _send(self, message: PushMessage, sub: PushSubscription | None) -> Outcome:
        now = self.clock()
        if sub is None or now >= message.expires_at:
            return message, sub, None
        # Finish inside our lease, or another worker could take the message over and send it too.
        assert message.lease_until is not None
        budget = (message.lease_until - now).total_seconds() - LEASE_MARGIN_SECONDS
        if budget <= 0:
            return message, sub, PushResult(None, None, "lease ran out before sending")
        ttl = max(0, int((message.expires_at - now).total_seconds()))  # a resend keeps the first deadline
        try:
            async with asyncio.timeout(budget):
                result = await self.sender.send(
                    Target(sub.endpoint, sub.p256dh, sub.auth),
                    # the recipient, so an offline 确认 goes into their own sync outbox on the phone
                    msgspec.json.encode({**message.payload, "person_id": str(message.person_id)}),
                    ttl=ttl,
                    urgency=message.urgency,
                    topic=message.topic,
                )
        except TimeoutError:
            result = PushResult(None, None, "no answer within the lease")
        if not result.accepted:
            log.warning("push to device %s: %s %s", message.device_id, result.status, result.error)
        return message, sub, result

    async def _handle(self, entries: Sequence[StreamEntry]) -> None:
        """Deliver what the entries name, then acknowledge them (not before: a crash leaves them pending)."""
        ids = [uuid.UUID(i) for e in entries for i in e.fields.get("ids", "").split(",") if i]
        chunks = [ids[start : start + self.batch] for start in range(0, len(ids), self.batch)]
        await asyncio.gather(*(self.deliver(chunk) for chunk in chunks))
        await self.bus.ack(service.STREAM, GROUP, *(e.id for e in entries))

    async def _handle_in_slot(self, entries: Sequence[StreamEntry], slots: asyncio.Semaphore) -> None:
        try:
            await self._handle(entries)
        except Exception:
            log.exception("push: delivering %d stream entries failed; they stay pending", len(entries))
        finally:
            slots.release()

    async def _consume_loop(self, stop: asyncio.Event) -> None:
        """Read the stream and deliver, up to `PIPELINE` reads in flight: while one batch waits for
        the push service, the next is being claimed."""
        broken = False
        slots = asyncio.Semaphore(PIPELINE)
        running: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            try:
                await self.bus.ensure_group(service.STREAM, GROUP, "0")
                while not stop.is_set():
                    await slots.acquire()  # before reading: never hold entries we cannot start on
                    try:
                        entries = await self.bus.read_group(
                            service.STREAM, GROUP, self.owner, count=READ_COUNT, block_ms=1000
                        )
                    except BaseException:
                        slots.release()
                        raise
                    if entries and len(entries) < READ_COUNT and self.linger_seconds > 0:
                        entries += await self._more(entries)
                    if not entries:
                        slots.release()
                    else:
                        task = asyncio.create_task(self._handle_in_slot(entries, slots))
                        running.add(task)
                        task.add_done_callback(running.discard)
                    if broken:
                        log.info("push: stream consumer %s is back", self.owner)
                        broken = False
            except NoGroup:
                continue  # Redis restarted without its data: make the group again
            except Exception:
                if not broken:
                    log.exception("push: stream consumer failed; the sweep delivers meanwhile")
                broken = True
                await _wait(stop, 1.0)
        if running:
            await asyncio.gather(*running, return_exceptions=True)

    async def _more(self, entries: Sequence[StreamEntry]) -> list[StreamEntry]:
        """What arrived during a short linger, read without blocking (already ours: a failure here
        leaves nothing unread, the entries stay pending for the sweep's XAUTOCLAIM)."""
        await asyncio.sleep(self.linger_seconds)
        try:
            return await self.bus.read_group(
                service.STREAM, GROUP, self.owner, count=READ_COUNT - len(entries), block_ms=None
            )
        except Exception:
            return []

    async def _sweep_loop(self, stop: asyncio.Event) -> None:
        broken = False
        while not stop.is_set():
            try:
                await self.sweep()
                broken = False
            except Exception:
                if not broken:
                    log.exception("push: sweep failed; retrying every %ss", self.sweep_seconds)
                broken = True
            await _wait(stop, self.sweep_seconds)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
