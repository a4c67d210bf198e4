"""A wristband's samples as the edge node relayed them: the short history behind the board's latest view."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin


class WearableSample(IdMixin, Base):
    """One band report. A band is a `Device(kind="wearable")` whose name is the band id; the
    latest report also lands in `device_status` (the board's view). Unique per band and instant,
    so a batch the node resends after a lost answer is stored once."""

    __tablename__ = "wearable_samples"
    __table_args__ = (UniqueConstraint("device_id", "sampled_at"),)

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    relayed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))  # the edge node
    sampled_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()
    x: Mapped[int | None] = mapped_column(Integer, default=None)
    y: Mapped[int | None] = mapped_column(Integer, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    heart_rate: Mapped[int | None] = mapped_column(Integer, default=None)
    skin_temp_c: Mapped[float | None] = mapped_column(Float, default=None)
    ambient_temp_c: Mapped[float | None] = mapped_column(Float, default=None)
    humidity_pct: Mapped[float | None] = mapped_column(Float, default=None)
    battery_pct: Mapped[int | None] = mapped_column(Integer, default=None)
