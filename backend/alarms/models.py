"""Alarms (raised → notified → acknowledged → resolved) and who each alarm was routed to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Syncable

RAISED, NOTIFIED, ACKNOWLEDGED, RESOLVED = "raised", "notified", "acknowledged", "resolved"
STATES = (RAISED, NOTIFIED, ACKNOWLEDGED, RESOLVED)
OPEN_STATES = (RAISED, NOTIFIED)  # nobody has answered yet: escalation keeps running


class Alarm(Syncable, Base):
    """One alarm. The id is the raiser's (edge node, wearable, phone), so an uplink retried after a
    dropped connection finds the alarm it already raised instead of raising a second one.

    `labels` and `plan` are the routing decided when it was raised (title per language; push
    parameters and escalation levels), so editing the routing file never changes an open alarm.
    """

    __tablename__ = "alarms"
    __sync_entity__ = "alarm"
    __sync_exclude__ = frozenset({"image_path", "plan"})
    __sync_owner__ = "subject_person_id"  # the person an SOS or a wearable's alarm is about pulls it
    __table_args__ = (Index("ix_alarms_site_id_state", "site_id", "state"),)

    source: Mapped[str] = mapped_column(String(16))  # edge | wearable | sos
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"), default=None)
    kind: Mapped[str] = mapped_column(String(48))
    tier: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id"), default=None)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)  # where it happened, for routing
    subject_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    raised_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    state: Mapped[str] = mapped_column(String(16), default=RAISED, index=True)
    level: Mapped[int] = mapped_column(Integer, default=0)  # escalation level reached
    x: Mapped[int | None] = mapped_column(Integer, default=None)  # site-plan pixels
    y: Mapped[int | None] = mapped_column(Integer, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    message: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)
    image_path: Mapped[str | None] = mapped_column(String(300), default=None)
    raised_at: Mapped[datetime] = mapped_column()  # the raiser's clock
    received_at: Mapped[datetime] = mapped_column()  # ours: the KPI clock starts here
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    response_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    resolution: Mapped[str] = mapped_column(String(300), default="")

    def sync_scope_path(self) -> str:
        return self.scope_path


class AlarmRecipient(IdMixin, Base):
    """A person an alarm was routed to, at which escalation level and through which role."""

    __tablename__ = "alarm_recipients"
    __table_args__ = (UniqueConstraint("alarm_id", "person_id"),)

    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarms.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column()
    devices: Mapped[int] = mapped_column(Integer, default=0)  # push messages queued for this person
    # B角: the person this one was reached instead of, because they were marked away
    stands_in_for: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)


class AlarmClip(Base):
    """The ±N s video an edge node wrote around one of its alarms, kept under media_dir by SHA-256."""

    __tablename__ = "alarm_clips"

    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarms.id"), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(300))  # under media_dir
    received_at: Mapped[datetime] = mapped_column()
