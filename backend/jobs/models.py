"""Timer rows and the scheduler lease: durable time that survives restarts (ARCHITECTURE: Durable time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Timestamps

PENDING, RUNNING, DONE, FAILED, CANCELLED = "pending", "running", "done", "failed", "cancelled"


class Timer(IdMixin, Timestamps, Base):
    """Something to do at `due_at`; `dedupe_key` names the logical timer so it exists once."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_status_due_at", "status", "due_at"),)

    kind: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # A running timer belongs to `lease_owner` until `lease_until`; after that a crashed
    # worker's timer is claimable again.
    lease_owner: Mapped[str | None] = mapped_column(String(120), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class SchedulerLease(Base):
    """Who runs the scheduler loop: one row per loop name, taken over once `lease_until` passes."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120))
    lease_until: Mapped[datetime] = mapped_column()
