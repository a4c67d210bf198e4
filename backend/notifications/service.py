"""Create notifications once per recipient, list a person's own, mark them read."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import NotFound
from backend.core.ids import uuid7
from backend.notifications.models import Notification


async def notify(
    db: AsyncSession,
    recipients: Iterable[uuid.UUID],
    kind: str,
    title: str,
    body: str,
    data: Mapping[str, Any],
    *,
    dedupe_key: str,
    now: datetime,
) -> int:
    """One row per recipient; `dedupe_key` + recipient makes a repeat a no-op. Returns the count asked."""
    rows = [
        {
            "id": uuid7(),
            "recipient_id": rid,
            "kind": kind,
            "title": title,
            "body": body,
            "data": dict(data),
            "dedupe_key": f"{dedupe_key}:{rid}",
            "created_at": now,
        }
        for rid in dict.fromkeys(recipients)
    ]
    if rows:
        insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
        await db.execute(insert(Notification).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
    return len(rows)


async def mine(
    db: AsyncSession, person_id: uuid.UUID, *, unread_only: bool, limit: int
) -> tuple[list[Notification], int]:
    """The person's notifications, newest first, and how many are unread."""
    query = select(Notification).where(Notification.recipient_id == person_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    items = (await db.scalars(query.order_by(Notification.created_at.desc()).limit(limit))).all()
    unread = await db.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == person_id, Notification.read_at.is_(None))
    )
    return list(items), unread or 0


async def mark_read(
    db: AsyncSession, person_id: uuid.UUID, notification_id: uuid.UUID, now: datetime
) -> None:
    result = await db.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.recipient_id == person_id)
        .values(read_at=func.coalesce(Notification.read_at, now))
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound("通知不存在", code="notification_unknown")
