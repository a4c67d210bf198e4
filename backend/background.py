"""What `tezuo serve` runs beside the API: the push delivery worker and a (standby) scheduler loop.

Every API process gets a bus bound to its sessions, so services announce committed outbox rows
and board updates. With `Settings.run_background` the process also delivers pushes (sharing the
`push` stream with the other API workers through the consumer group) and runs the scheduler
loop, which fires timers (alarm escalation) only while it holds the scheduler lease; a
dedicated `tezuo scheduler` competes for the same lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus import Bus, make_bus
from backend.bus.after_commit import bind_bus
from backend.config import Settings
from backend.core.clock import Clock
from backend.jobs.scheduler import Scheduler
from backend.push.routes import vapid_key
from backend.push.vapid import VapidSigner
from backend.push.webpush import WebPushSender
from backend.push.worker import DeliveryWorker, default_owner

log = logging.getLogger("tezuo")
SCHEDULER_POLL_SECONDS = 1.0


def vapid_subject(settings: Settings) -> str:
    """RFC 8292 §2.1 `sub`: a contact for the push service operator."""
    return f"mailto:safety@{settings.rp_id}"


@asynccontextmanager
async def running(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[Bus]:
    bus = make_bus(settings)
    bind_bus(sessionmaker, bus)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    sender: WebPushSender | None = None
    if settings.run_background:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per push at INFO
        owner = default_owner()
        sender = WebPushSender(VapidSigner(vapid_key(settings.keys_dir), vapid_subject(settings)))
        worker = DeliveryWorker(
            sessionmaker, bus, sender, clock, owner, lease_seconds=settings.push_lease_seconds
        )
        scheduler = Scheduler(sessionmaker, clock, owner, settings=settings)
        tasks = [
            asyncio.create_task(worker.run(stop), name="push-delivery"),
            asyncio.create_task(scheduler.run_forever(SCHEDULER_POLL_SECONDS, stop), name="scheduler"),
        ]
        log.info("push delivery and scheduler loop running as %s", owner)
    try:
        yield bus
    finally:
        stop.set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=10)
            for task in pending:
                task.cancel()
        if sender is not None:
            await sender.aclose()
        with contextlib.suppress(Exception):
            await bus.close()
