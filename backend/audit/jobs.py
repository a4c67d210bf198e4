"""The scheduled signed tree head: the leased scheduler signs the log every 10 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.keys import load_signer
from backend.audit.service import issue_tree_head
from backend.config import load_settings
from backend.jobs import service as timers
from backend.jobs.models import Timer
from backend.jobs.registry import JobContext

KIND = "audit.sign_tree_head"
EVERY = timedelta(minutes=10)


def _key(at: datetime) -> str:
    """One timer per 10-minute slot: restarts and several schedulers never pile up copies."""
    slot = int(at.astimezone(UTC).timestamp() // EVERY.total_seconds())
    return f"{KIND}:{slot}"


async def seed(db: AsyncSession, now: datetime) -> Timer:
    """The first scheduled head comes one interval after the scheduler starts (until then heads
    are signed on demand; signing at start would throttle the first on-demand head)."""
    due = now + EVERY
    return await timers.schedule(db, KIND, due, {}, _key(due), now=now)


async def sign_tree_head(ctx: JobContext) -> None:
    """Sign the current head (skipped while an unchanged log's last head is fresh), then re-arm."""
    settings = ctx.settings or load_settings()
    await issue_tree_head(ctx.db, load_signer(settings.keys_dir), ctx.now)
    due = ctx.now + EVERY
    await timers.schedule(ctx.db, KIND, due, {}, _key(due), now=ctx.now)
