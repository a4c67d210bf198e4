"""One ledger import run: who uploaded what, how it went, and its report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Timestamps

# queued → running → done (committed) | rejected (strict run with errors: nothing written) | failed
IMPORT_STATES = ("queued", "running", "done", "rejected", "failed")


class LedgerImport(IdMixin, Timestamps, Base):
    __tablename__ = "ledger_imports"

    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    strict: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_code: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
