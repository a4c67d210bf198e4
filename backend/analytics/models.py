"""The inputs analytics owns: people's verdicts on AI alarms and gas-detector calibrations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin

VERDICTS = ("confirmed", "false_positive")


class AlarmReview(IdMixin, Base):
    """A person's verdict on an alarm: was it real (confirmed) or a false positive (误报)?

    The 高风险点位AI识别误报率 is computed from these; alarms nobody reviewed count in neither.
    """

    __tablename__ = "alarm_reviews"
    __table_args__ = (UniqueConstraint("alarm_id"),)

    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarms.id"))
    verdict: Mapped[str] = mapped_column(String(16))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    reviewed_at: Mapped[datetime] = mapped_column()
    note: Mapped[str] = mapped_column(String(300), default="")


class DetectorCalibration(IdMixin, Base):
    """One bump test / calibration of a gas detector: reference gas vs. what the detector showed.

    `deviation_percent` is (reading − reference) / reference × 100, stored as computed on entry.
    """

    __tablename__ = "detector_calibrations"
    __table_args__ = (
        Index("ix_detector_calibrations_detector_id_calibrated_at", "detector_id", "calibrated_at"),
    )

    detector_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gas_detectors.id"))
    calibrated_at: Mapped[datetime] = mapped_column()
    reference_gas: Mapped[str] = mapped_column(String(40))
    reference_value: Mapped[float] = mapped_column(Float)
    reading: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8))  # lel | ppm | vol
    deviation_percent: Mapped[float] = mapped_column(Float)
    technician: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")


class ScadaSample(IdMixin, Base):
    """One sample of a SCADA series (imported as CSV): e.g. `P-3.running` 0/1, `P-3.vibration_hz`."""

    __tablename__ = "scada_samples"
    __table_args__ = (Index("ix_scada_samples_site_id_tag_at", "site_id", "tag", "at"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"))
    tag: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column()
    value: Mapped[float] = mapped_column(Float)


class DetectorTag(IdMixin, Base):
    """An equipment tag on a detector from a root-cause finding (设备振动干扰 …) and the fix taken."""

    __tablename__ = "detector_tags"

    detector_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gas_detectors.id"), index=True)
    tag: Mapped[str] = mapped_column(String(40))
    finding: Mapped[str] = mapped_column(String(600), default="")
    fix: Mapped[str] = mapped_column(String(600), default="")
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column()
