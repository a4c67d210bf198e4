"""Resumable uploads of practical-exam recordings: a phone that recorded offline sends the file
in chunks when it is back online and, after an interruption, asks the server's offset and goes on
from there. The assembled file goes through the same checks as a one-piece upload
(`exams_part.add_video`: PyAV container/codec/duration, the worker's face, SHA-256 in the audit
log); sessions not completed in time are swept with their bytes."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.service import item as catalog_item
from backend.config import Settings
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.ids import uuid7
from backend.media import exams_part, store
from backend.media.images import TooLarge, WrongType
from backend.media.models import ExamUpload, ExamVideo
from backend.people.models import Person
from backend.workers import service as workers

MAX_BYTES = 1024 * 1024 * 1024  # a practical exam: 3+ minutes at phone bitrates
CHUNK_MAX = 4 * 1024 * 1024  # one request's body
TTL = timedelta(hours=24)  # an unfinished session lives this long after its last chunk
TYPES = {"video/webm", "video/mp4", "video/quicktime", "video/x-matroska"}


def upload_dir(settings: Settings) -> Path:
    return settings.media_dir / "tmp" / "uploads"


def part_path(settings: Settings, upload_id: uuid.UUID) -> Path:
    return upload_dir(settings) / f"{upload_id}.part"


async def open_upload(
    db: AsyncSession,
    settings: Settings,
    now: datetime,
    person: Person,
    actor_id: uuid.UUID,
    item_key: str,
    size: int,
    content_type: str,
    sha256: str | None,
) -> ExamUpload:
    """A new session: the size and type are checked before any byte is accepted."""
    if size > MAX_BYTES:
        raise TooLarge(f"文件超过 {MAX_BYTES // 1048576} MiB", code="upload_too_large")
    base = content_type.split(";")[0].strip().lower()
    if base not in TYPES:
        raise WrongType(f"只接受 WebM/MP4/MOV 视频，收到 {base or '空类型'}", code="video_type")
    catalog_item(workers.context(db, settings, now).catalog, item_key)
    row = ExamUpload(
        id=uuid7(),
        person_id=person.id,
        item_key=item_key,
        content_type=base,
        size=size,
        received=0,
        sha256=sha256,
        created_by=actor_id,
        created_at=now,
        expires_at=now + TTL,
    )
    db.add(row)
    await db.flush()
    upload_dir(settings).mkdir(parents=True, exist_ok=True)
    part_path(settings, row.id).touch()
    return row


async def get_upload(
    db: AsyncSession, now: datetime, upload_id: uuid.UUID, actor_id: uuid.UUID
) -> ExamUpload:
    """The caller's own live session (another person's is as unknown as a missing one)."""
    row = await db.get(ExamUpload, upload_id)
    if row is None or row.expires_at <= now:
        raise NotFound("上传会话不存在或已过期，请重新上传", code="upload_unknown")
    if row.created_by != actor_id:
        raise Forbidden("只能续传自己发起的上传", code="upload_not_yours")
    return row


def _write_at(path: Path, offset: int, chunk: bytes) -> None:
    with open(path, "r+b") as out:
        out.seek(offset)
        out.write(chunk)
        out.truncate(offset + len(chunk))  # bytes of a chunk whose commit failed are cut off
        out.flush()
        os.fsync(out.fileno())


async def put_chunk(
    db: AsyncSession, settings: Settings, now: datetime, row: ExamUpload, offset: int, chunk: bytes
) -> int:
    """Append `chunk` at `offset`, which must be the server's offset; returns the new offset.

    The offset moves first, compare-and-set (`UPDATE … WHERE received = offset`): a concurrent
    chunk for the same offset waits on the row and then finds it moved. The bytes are written
    after; if the transaction rolls back, the offset stays and the next chunk overwrites them."""
    if not chunk:
        raise Invalid("空的分片 (empty chunk)", code="upload_empty")
    if len(chunk) > CHUNK_MAX:
        raise TooLarge(f"分片超过 {CHUNK_MAX // 1048576} MiB", code="chunk_too_large")
    if offset != row.received:
        raise Conflict(
            f"分片偏移 {offset} 与服务器已收到的 {row.received} 字节不符",
            code="upload_offset_mismatch",
            extra={"offset": row.received},
        )
    if offset + len(chunk) > row.size:
        raise Invalid(f"分片超出声明的文件大小 {row.size}", code="upload_past_size")
    moved = await db.execute(
        update(ExamUpload)
        .where(ExamUpload.id == row.id, ExamUpload.received == offset)
        .values(received=offset + len(chunk), expires_at=now + TTL)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:
        raise Conflict("另一个分片刚刚写入，请查询偏移后重试", code="upload_offset_mismatch")
    await asyncio.to_thread(_write_at, part_path(settings, row.id), offset, chunk)
    return offset + len(chunk)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while block := src.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


async def complete(
    db: AsyncSession, settings: Settings, now: datetime, row: ExamUpload, person: Person, actor_id: uuid.UUID
) -> ExamVideo:
    """Every byte in: hash, compare with the declared hash, then the exam video's own checks."""
    if row.received != row.size:
        raise Conflict(
            f"还缺 {row.size - row.received} 字节，请继续上传",
            code="upload_incomplete",
            extra={"offset": row.received},
        )
    path = part_path(settings, row.id)
    sha = await asyncio.to_thread(_sha256, path)
    if row.sha256 and sha != row.sha256:
        raise Invalid("拼接后的文件与声明的 SHA-256 不一致，请重新上传", code="upload_hash_mismatch")
    video = await exams_part.add_video(
        db, settings, now, person, actor_id, row.item_key, path, sha, row.received, restore=True
    )
    await db.delete(row)
    await db.flush()
    return video


async def cancel(db: AsyncSession, settings: Settings, row: ExamUpload) -> None:
    await db.delete(row)
    await db.flush()
    store.delete_on_commit(db, part_path(settings, row.id))


async def sweep_expired(db: AsyncSession, settings: Settings, now: datetime) -> int:
    """Delete sessions past their expiry and their bytes; also pending files of dead processes."""
    rows = list(await db.scalars(select(ExamUpload).where(ExamUpload.expires_at <= now)))
    for row in rows:
        await db.delete(row)
        store.delete_on_commit(db, part_path(settings, row.id))
    await db.flush()
    store.sweep_pending(settings.media_dir, older_than_s=TTL.total_seconds())
    return len(rows)
