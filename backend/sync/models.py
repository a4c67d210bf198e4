"""Stored results of pushed operations and the per-field stamps of last-writer-wins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base


class SyncOpResult(Base):
    """The one decided result of an operation, by op id: a retry is answered from here."""

    __tablename__ = "sync_op_results"

    op_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    hlc: Mapped[str] = mapped_column(String(100))  # the device's time, kept beside server time
    result: Mapped[dict[str, Any]] = mapped_column()
    server_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column()


class FieldStamp(Base):
    """When the current value of one field of one entity was written (lww-field commands)."""

    __tablename__ = "sync_field_stamps"

    entity: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    at_ms: Mapped[int] = mapped_column(BigInteger)
    hlc: Mapped[str] = mapped_column(String(100))
    device: Mapped[str] = mapped_column(String(64))  # "" for writes made on the server
