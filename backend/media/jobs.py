"""The daily purge of face templates past their retention date (docs/SECURITY.md), and of
expired resumable exam uploads with their bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs import service as timers
from backend.jobs.models import Timer
from backend.jobs.registry import JobContext
from backend.media.exam_uploads_part import sweep_expired
from backend.media.faces_part import purge_expired

KIND = "media.purge_face_templates"
EVERY = timedelta(days=1)


def _key(at: datetime) -> str:
    return f"{KIND}:{at.astimezone(UTC):%Y-%m-%d}"  # one per day, however many schedulers


async def seed(db: AsyncSession, now: datetime) -> Timer:
    due = now + timedelta(minutes=5)
    return await timers.schedule(db, KIND, due, {}, _key(due), now=now)


async def purge_face_templates(ctx: JobContext) -> None:
    """Delete expired templates and upload sessions, then re-arm for the next day."""
    await purge_expired(ctx.db, ctx.now)
    if ctx.settings is not None:
        await sweep_expired(ctx.db, ctx.settings, ctx.now)
    due = ctx.now + EVERY
    await timers.schedule(ctx.db, KIND, due, {}, _key(due), now=ctx.now)
