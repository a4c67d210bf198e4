"""The worker's badge photo (a small JPEG the inspector compares by eye) and the scan log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Syncable


class BadgePhoto(IdMixin, Base):
    """One photo per worker, stored as the thumbnail inspectors sync (≤ 320 px JPEG)."""

    __tablename__ = "badge_photos"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), unique=True)
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column()
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)


class BadgeScan(Syncable, Base):
    """One scan by an inspector (an append-only sync command): who, whom, where, when, verdict.

    `verdict`/`reasons` are what the inspector's device decided offline; `server_verdict` is the
    server's own check of the same code when the scan arrived (a disagreement is worth a look).
    The code itself is not kept, only its SHA-256.
    """

    __tablename__ = "badge_scans"
    __sync_entity__ = "badge_scan"
    __sync_owner__ = "inspector_id"

    inspector_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    worker_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)  # as read: may be unknown
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    scanned_at: Mapped[datetime] = mapped_column()
    place: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    accuracy: Mapped[float | None] = mapped_column(Float, default=None)  # metres, from the browser
    permit_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)  # as picked: may be unknown
    work_type: Mapped[str | None] = mapped_column(String(40), default=None)
    verdict: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    server_verdict: Mapped[str] = mapped_column(String(8))
    server_reasons: Mapped[list[Any]] = mapped_column(default=list)
    kid: Mapped[str | None] = mapped_column(String(16), default=None)
    code_sha256: Mapped[str] = mapped_column(String(64))

    def sync_scope_path(self) -> str:
        return self.scope_path
