"""Browser push subscriptions (one per device) and the push outbox (one row per message and device)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Timestamps

PENDING, SENDING, SENT, GONE, FAILED, EXPIRED = "pending", "sending", "sent", "gone", "failed", "expired"


class PushSubscription(IdMixin, Timestamps, Base):
    """What `PushManager.subscribe()` gave a browser: the endpoint and the keys to encrypt for it."""

    __tablename__ = "push_subscriptions"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), unique=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(2000))
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(String(120))  # the browser's P-256 public key, base64url
    auth: Mapped[str] = mapped_column(String(40))  # the 16-byte auth secret, base64url
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class PushMessage(IdMixin, Timestamps, Base):
    """One message for one device. `(dedupe_key, device_id)` is unique: an alarm reaches a device once.

    The row is also the retry timer: `next_attempt_at` is when a worker may (re)send it, and
    `lease_owner`/`lease_until` name the worker sending it now, so a worker that dies mid-send
    leaves the row to be taken over when its lease runs out.
    """

    __tablename__ = "push_messages"
    __table_args__ = (
        UniqueConstraint("dedupe_key", "device_id"),
        Index("ix_push_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_push_messages_kind_ref_id", "kind", "ref_id"),
    )

    dedupe_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # alarm | permit | test …: picks the on-sent hook
    ref_id: Mapped[str | None] = mapped_column(String(64), default=None)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column()
    urgency: Mapped[str] = mapped_column(String(8))  # RFC 8030 §5.3: very-low | low | normal | high
    ttl: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(32))  # RFC 8030 §5.4: a resend replaces a queued copy
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(120), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
