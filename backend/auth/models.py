"""Passkey credentials, enrollment codes, WebAuthn challenges, sessions and devices."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Timestamps


class Passkey(IdMixin, Timestamps, Base):
    """A registered WebAuthn credential; `sign_count` guards against cloned authenticators."""

    __tablename__ = "passkeys"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")
    label: Mapped[str] = mapped_column(String(120), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class Enrollment(IdMixin, Timestamps, Base):
    """A one-time code that lets a person register a passkey; single use, short expiry."""

    __tablename__ = "enrollments"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)


class Challenge(IdMixin, Timestamps, Base):
    """A WebAuthn challenge kept server-side (any API worker can finish the ceremony)."""

    __tablename__ = "webauthn_challenges"

    purpose: Mapped[str] = mapped_column(String(16))  # register | login
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64))
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enrollments.id"), default=None)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSession(IdMixin, Timestamps, Base):
    """A signed-in browser: the cookie holds a random token, the table only its hash."""

    __tablename__ = "web_sessions"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    passkey_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("passkeys.id"), default=None)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class Device(IdMixin, Timestamps, Base):
    """A phone, edge node or wearable known to the system."""

    __tablename__ = "devices"

    kind: Mapped[str] = mapped_column(String(16))  # phone | edge | wearable
    name: Mapped[str] = mapped_column(String(120))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_units.id"), default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
