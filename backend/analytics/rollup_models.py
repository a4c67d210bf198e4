"""Rollup tables behind the dashboard: per-day tallies of permits and alarms, per-hour counts of
behaviour violations, and the fold's state. Derived data only: `tezuo analytics rebuild` recreates
them from the records (docs/analytics.md, "Aggregates")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.alarms.models import Alarm
from backend.db.base import Base, IdMixin
from backend.permits.models import Permit

# The raw edges of a period (today, partial days) are read by these times.
Index("ix_permits_started_at", Permit.started_at)
Index("ix_permits_approved_at", Permit.approved_at)
Index("ix_alarms_received_at", Alarm.received_at)
_OPEN = text("completed_at IS NULL AND ended_at IS NULL")
Index(
    "ix_permits_open_started_at", Permit.started_at, sqlite_where=_OPEN, postgresql_where=_OPEN
)  # open ones


class AnalyticsDay(IdMixin, Base):
    """Tallies of one UTC day, org path and trade ('' = none): what the event indicators count.

    Permits are counted on the day they started (overtime, unapproved starts: only finished ones
    count toward overtime, open ones are read live) and on the day they were approved (the approval
    minutes, rounded to 0.1 as the indicator rounds them, so the median is exact). Alarms on the day
    received; `alarm_kinds` counts each kind not dismissed as 误报.
    """

    __tablename__ = "analytics_days"
    __table_args__ = (Index("ix_analytics_days_day_path_trade", "day", "path", "trade", unique=True),)

    day: Mapped[date] = mapped_column(Date)
    path: Mapped[str] = mapped_column(String(400))
    trade: Mapped[str] = mapped_column(String(40))
    permits_started: Mapped[int] = mapped_column(Integer, default=0)
    permits_unapproved: Mapped[int] = mapped_column(Integer, default=0)
    permits_finished: Mapped[int] = mapped_column(Integer, default=0)
    permits_over: Mapped[int] = mapped_column(Integer, default=0)
    approval_minutes: Mapped[list[Any]] = mapped_column(default=list)
    alarms: Mapped[int] = mapped_column(Integer, default=0)
    alarms_answered: Mapped[int] = mapped_column(Integer, default=0)
    response_sum: Mapped[float] = mapped_column(Float, default=0.0)
    sos: Mapped[int] = mapped_column(Integer, default=0)
    sos_answered: Mapped[int] = mapped_column(Integer, default=0)
    sos_response_sum: Mapped[float] = mapped_column(Float, default=0.0)
    ai_reviewed: Mapped[int] = mapped_column(Integer, default=0)
    ai_false: Mapped[int] = mapped_column(Integer, default=0)
    alarm_kinds: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AnalyticsHour(IdMixin, Base):
    """Behaviour violations (heatmap.BEHAVIOUR kinds not dismissed as 误报) per UTC hour and place."""

    __tablename__ = "analytics_hours"
    __table_args__ = (Index("ix_analytics_hours_hour_path", "hour", "path"),)

    hour: Mapped[datetime] = mapped_column()
    path: Mapped[str] = mapped_column(String(400))
    trade: Mapped[str] = mapped_column(String(40))
    area_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    cell_x: Mapped[int | None] = mapped_column(Integer, default=None)
    cell_y: Mapped[int | None] = mapped_column(Integer, default=None)
    count: Mapped[int] = mapped_column(Integer)


class AnalyticsFold(Base):
    """The fold's state (one row): days before `frontier` are in the rollups, folded up to change-log
    `watermark`; `frontier` NULL = never built (the next fold rebuilds everything)."""

    __tablename__ = "analytics_fold"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watermark: Mapped[int] = mapped_column(Integer, default=0)
    frontier: Mapped[date | None] = mapped_column(Date, default=None)
    folded_at: Mapped[datetime | None] = mapped_column(default=None)


class AnalyticsDirty(IdMixin, Base):
    """An alarm whose verdict changed (alarm reviews are not in the change log): its day is refolded."""

    __tablename__ = "analytics_dirty"

    alarm_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class GasHour(IdMixin, Base):
    """A detector's LEL readings in one UTC hour, thinned for display: count, min, max, sum."""

    __tablename__ = "gas_reading_hours"
    __table_args__ = (Index("ix_gas_reading_hours_detector_id_hour", "detector_id", "hour", unique=True),)

    detector_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    hour: Mapped[datetime] = mapped_column()
    count: Mapped[int] = mapped_column(Integer)
    lel_min: Mapped[float | None] = mapped_column(Float, default=None)
    lel_max: Mapped[float | None] = mapped_column(Float, default=None)
    lel_sum: Mapped[float] = mapped_column(Float, default=0.0)


class GasDirtyHour(IdMixin, Base):
    """An hour of a detector that received readings since it was last thinned (marked on flush)."""

    __tablename__ = "gas_dirty_hours"

    detector_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    hour: Mapped[datetime] = mapped_column()
