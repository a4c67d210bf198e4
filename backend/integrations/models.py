"""The outbox: messages to outside systems, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Timestamps

TARGETS = ("hr", "gate")
# pending → sent, or failed after the last attempt; unrouted when no endpoint is configured.
PENDING, SENT, FAILED, UNROUTED = "pending", "sent", "failed", "unrouted"


class OutboxMessage(IdMixin, Timestamps, Base):
    """One message to deliver. `dedupe_key` makes enqueueing idempotent; `ordering_key` keeps a
    person's gate revoke/restore in order (a later message waits for the earlier ones)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_ordering_key_status", "ordering_key", "status"),)

    target: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]] = mapped_column()
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    ordering_key: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=10)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    response_status: Mapped[int | None] = mapped_column(Integer, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
