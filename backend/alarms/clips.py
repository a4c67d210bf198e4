"""Alarm clips: the video an edge node recorded around its own alarm, uploaded through its queue.

The body is the raw file (MJPEG AVI or MP4, ≤ CLIP_MAX_BYTES). It is stored once under
media_dir/clips/<sha[:2]>/<sha>.<ext>, linked to the alarm; a retry with the same bytes answers the
clip already held, different bytes for an alarm that has a clip are a conflict.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms.models import Alarm, AlarmClip
from backend.auth.models import Device
from backend.core.errors import Conflict, NotFound
from backend.db.after_commit import on_outcome
from backend.media import uploads
from backend.media.images import WrongType

CLIP_MAX_BYTES = 64 * 1024 * 1024
# Sniffed from the first bytes, never taken from the client's Content-Type.
KINDS = {"avi": "video/x-msvideo", "mp4": "video/mp4"}


class ClipOut(msgspec.Struct, kw_only=True):
    alarm_id: uuid.UUID
    sha256: str
    size: int
    content_type: str
    duplicate: bool


def sniff(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[4:8] == b"ftyp":
        return "mp4"
    return None


def clip_out(clip: AlarmClip, duplicate: bool) -> ClipOut:
    return ClipOut(
        alarm_id=clip.alarm_id,
        sha256=clip.sha256,
        size=clip.size,
        content_type=clip.content_type,
        duplicate=duplicate,
    )


async def receive(
    db: AsyncSession,
    request: Request[Any, Any, Any],
    device: Device,
    alarm_id: uuid.UUID,
    media_dir: Path,
    now: datetime,
) -> tuple[AlarmClip, bool]:
    """Store the uploaded clip for the device's own alarm; (clip, created)."""
    alarm = await db.get(Alarm, alarm_id)
    if alarm is None or alarm.device_id != device.id:
        raise NotFound("没有这条报警 (no such alarm of this device)", code="alarm_not_found")
    tmp, sha, size = await uploads.receive(request, media_dir / "tmp", CLIP_MAX_BYTES)
    try:
        ext = sniff(await asyncio.to_thread(_head, tmp))
        if ext is None:
            raise WrongType("录像必须是 AVI 或 MP4 (clip must be AVI or MP4)", code="clip_type")
        existing = await db.get(AlarmClip, alarm_id)
        if existing is not None and existing.sha256 != sha:
            raise Conflict("该报警已有另一段录像", code="clip_conflict")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    relative = f"clips/{sha[:2]}/{sha}.{ext}"
    target = media_dir / relative
    if existing is not None:
        # A retry of the same bytes. Had the file been lost (a crash between commit and move), put it back.
        _finish_with(db, tmp, target if not target.exists() else None)
        return existing, False
    clip = AlarmClip(
        alarm_id=alarm_id,
        device_id=device.id,
        sha256=sha,
        size=size,
        content_type=KINDS[ext],
        path=relative,
        received_at=now,
    )
    # The upload stays under its temporary name until the row is committed: moved into place by the
    # commit, deleted if the transaction rolls back (or the database refuses the COMMIT itself).
    _finish_with(db, tmp, target)
    db.add(clip)
    await db.flush()
    return clip, True


def _finish_with(db: AsyncSession, tmp: Path, target: Path | None) -> None:
    def committed() -> None:
        if target is None:
            tmp.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)  # same filesystem: atomic; same bytes under the same name is harmless

    on_outcome(db, committed, lambda: tmp.unlink(missing_ok=True))


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(12)


async def get(db: AsyncSession, alarm_id: uuid.UUID) -> AlarmClip:
    clip = await db.get(AlarmClip, alarm_id)
    if clip is None:
        raise NotFound("该报警没有录像", code="clip_missing")
    return clip
