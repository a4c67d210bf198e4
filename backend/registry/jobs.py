"""The daily registry check on the durable timers: one timer per local day, re-armed by each run."""

from __future__ import annotations

import logging
import time as monotonic
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import make_sessionmaker
from backend.jobs import service as jobs
from backend.jobs.models import Timer
from backend.jobs.registry import JobContext
from backend.registry.run_part import RunInProgress

log = logging.getLogger("tezuo.registry")

DAILY = "registry.daily_check"
# 18:00 UTC is 02:00 in China: after the 01:00 qualifications scan, before the morning shift.
CHECK_AT = time(18, 0)


def daily_key(day: date) -> str:
    return f"{DAILY}:{day.isoformat()}"


def next_due(now: datetime) -> datetime:
    at = datetime.combine(now.astimezone(UTC).date(), CHECK_AT, tzinfo=UTC)
    return at if at > now else at + timedelta(days=1)


async def seed(db: AsyncSession, now: datetime) -> Timer:
    """The next check (idempotent per day); called when a scheduler takes the lease."""
    due = next_due(now)
    return await jobs.schedule(db, DAILY, due, {}, daily_key(due.date()), now=now)


async def daily_check(ctx: JobContext) -> None:
    """Run (or resume) the check, then arm tomorrow's. The run commits page by page in its own
    transactions; this timer's transaction only re-arms and marks it done."""
    from backend.registry import service

    settings = ctx.require_settings()
    if not settings.registry_url:
        log.warning("registry check skipped: TEZUO_REGISTRY_URL is not set")
    else:
        started, base = monotonic.monotonic(), ctx.now

        def clock() -> datetime:
            return base + timedelta(seconds=monotonic.monotonic() - started)

        maker = make_sessionmaker(ctx.db.bind)  # type: ignore[arg-type]
        try:
            await service.check_now(maker, settings, clock, trigger="schedule")
        except RunInProgress:
            log.info("registry check: a run is already in progress elsewhere; leaving it to finish")
    due = next_due(ctx.now + timedelta(minutes=1))
    await jobs.schedule(ctx.db, DAILY, due, {}, daily_key(due.date()), now=ctx.now)
