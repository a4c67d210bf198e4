"""Built-in timer kinds: the daily purge of expired sign-in material, which re-arms itself."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.service import purge_expired
from backend.jobs import service
from backend.jobs.models import Timer
from backend.jobs.registry import JobContext

log = logging.getLogger("tezuo.jobs")

PURGE = "jobs.purge_expired_auth"
SESSION_RETENTION = timedelta(days=30)
# 19:00 UTC is 03:00 in China (UTC+8): between night-shift permits, few sign-ins.
PURGE_AT = time(19, 0)


def purge_key(day: date) -> str:
    """One purge per UTC day: the dedupe key stops restarts from piling up copies."""
    return f"{PURGE}:{day.isoformat()}"


async def seed(db: AsyncSession, now: datetime) -> Timer:
    """Today's purge, due now unless it already ran today; called when a scheduler takes the lease."""
    return await service.schedule(db, PURGE, now, {}, purge_key(now.astimezone(UTC).date()), now=now)


async def purge_expired_auth(ctx: JobContext) -> None:
    """Delete expired WebAuthn challenges and enrollment codes, and sessions dead for 30 days.

    Then schedule tomorrow's run. Deleting is idempotent, so a retried run does no harm.
    """
    now = ctx.now.astimezone(UTC)
    challenges, enrollments, sessions = await purge_expired(ctx.db, now, SESSION_RETENTION)
    log.info("purged %d challenges, %d enrollments, %d sessions", challenges, enrollments, sessions)
    tomorrow = now.date() + timedelta(days=1)
    due = datetime.combine(tomorrow, PURGE_AT, tzinfo=UTC)
    await service.schedule(ctx.db, PURGE, due, {}, purge_key(tomorrow), now=now)
