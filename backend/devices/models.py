"""Device credentials (hashed bearer tokens), seen nonces, and the latest status of each device."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Timestamps


class DeviceToken(IdMixin, Timestamps, Base):
    """A bearer token of an edge node or wearable; the table keeps only its SHA-256."""

    __tablename__ = "device_tokens"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class DeviceNonce(Base):
    """A request nonce a device already used; kept for twice the timestamp window (replay guard)."""

    __tablename__ = "device_nonces"
    __table_args__ = (Index("ix_device_nonces_seen_at", "seen_at"),)

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column()


class DeviceStatus(Base):
    """What a device last reported: position, vitals (wearables), health of its detectors (edge)."""

    __tablename__ = "device_status"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    kind: Mapped[str] = mapped_column(String(16))
    x: Mapped[int | None] = mapped_column(Integer, default=None)  # site-plan pixels
    y: Mapped[int | None] = mapped_column(Integer, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    heart_rate: Mapped[int | None] = mapped_column(Integer, default=None)
    body_temp_c: Mapped[float | None] = mapped_column(Float, default=None)
    ambient_temp_c: Mapped[float | None] = mapped_column(Float, default=None)
    humidity_pct: Mapped[float | None] = mapped_column(Float, default=None)
    battery_pct: Mapped[int | None] = mapped_column(Integer, default=None)
    health: Mapped[str] = mapped_column(String(16), default="ok")  # ok | degraded | fault
    components: Mapped[list[Any]] = mapped_column(default=list)
    reported_at: Mapped[datetime] = mapped_column()


class DeviceCommand(IdMixin, Base):
    """An instruction a person gave a device through the API; today only `interlock_reset`: clearing a
    power cut an edge node latched (docs/edge.md "Interlocks"). The device fetches pending commands
    and reports each one's result; request and result are both in the audit log."""

    __tablename__ = "device_commands"
    __table_args__ = (Index("ix_device_commands_device_id_done_at", "device_id", "done_at"),)

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(String(300))
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    requested_at: Mapped[datetime] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    result: Mapped[str | None] = mapped_column(String(16), default=None)  # done | failed
    result_detail: Mapped[str] = mapped_column(String(200), default="")
