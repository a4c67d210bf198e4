"""Gas detectors bound to areas, the readings they send, and the tokens edge nodes sign in with."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Syncable


class GasDetector(Syncable, Base):
    """A fixed or portable detector watching an area; reports %LEL of its calibration gas."""

    __tablename__ = "gas_detectors"
    __sync_entity__ = "gas_detector"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"), index=True)
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id"), index=True)
    gas: Mapped[str] = mapped_column(String(40))  # calibration gas, a key of gas/data/gases.json
    kind: Mapped[str] = mapped_column(String(16), default="fixed")  # fixed | portable
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"), default=None)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path


class GasReading(IdMixin, Base):
    """One measurement; `lel_percent` is what the detector shows, judged against §5.3.2 on arrival."""

    __tablename__ = "gas_readings"
    __table_args__ = (
        Index("ix_gas_readings_area_id_measured_at", "area_id", "measured_at"),
        Index("ix_gas_readings_detector_id_measured_at", "detector_id", "measured_at"),
    )

    detector_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gas_detectors.id"))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id"))
    measured_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()
    gas: Mapped[str] = mapped_column(String(40))
    lel_percent: Mapped[float | None] = mapped_column(Float, default=None)
    o2_percent: Mapped[float | None] = mapped_column(Float, default=None)
    within_limits: Mapped[bool] = mapped_column()
