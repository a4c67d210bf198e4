"""Permits, their approval slots, gas analyses, absences of approvers, history and in-app notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Syncable, Timestamps

# draft → submitted → approving → approved → active ⇄ suspended → completed → closed;
# cancelled, rejected and expired end a permit early (docs/permits.md "Lifecycle").
STATUSES = (
    "draft",
    "submitted",
    "approving",
    "approved",
    "active",
    "suspended",
    "completed",
    "closed",
    "cancelled",
    "rejected",
    "expired",
)
LIVE = ("submitted", "approving", "approved", "active", "suspended")
FINAL = ("completed", "closed", "cancelled", "rejected", "expired")


class Permit(Syncable, Base):
    """One 安全作业票: the request's facts, its grade and the state of its lifecycle."""

    __tablename__ = "permits"
    __sync_entity__ = "permit"

    number: Mapped[str] = mapped_column(String(40), unique=True)
    # The content revision approvers sign (docs/permits.md "Canonical decision"): it moves only
    # when what is being approved changes, never with approval progress or suspensions.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    work_type: Mapped[str] = mapped_column(String(40))
    grade: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"), index=True)
    workshop_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_units.id"))
    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("areas.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    guardian_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    operator_ids: Mapped[list[Any]] = mapped_column(default=list)
    work_point: Mapped[list[Any] | None] = mapped_column(default=None)  # [x, y] on the site plan
    content: Mapped[str] = mapped_column(Text)  # 作业内容
    form: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the type's Table A.x fields
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    measures: Mapped[list[Any]] = mapped_column(default=list)
    grading: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the explained grade at submission
    simops: Mapped[list[Any]] = mapped_column(default=list)  # warnings accepted at submission
    planned_start: Mapped[datetime] = mapped_column()
    planned_end: Mapped[datetime] = mapped_column()
    valid_until: Mapped[datetime] = mapped_column()
    current_stage: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    suspended_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)  # closed, cancelled, rejected, expired
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("permits.id"), default=None)

    def sync_scope_path(self) -> str:
        return self.scope_path


class ApprovalSlot(Syncable, Base):
    """One signature a permit needs: a stage of the policy path and a role, held by an assignee."""

    __tablename__ = "approval_slots"
    __sync_entity__ = "approval_slot"
    __table_args__ = (UniqueConstraint("permit_id", "key"),)

    permit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("permits.id"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))  # "s1.team_leader"
    role: Mapped[str] = mapped_column(String(32))
    on_site: Mapped[bool] = mapped_column(default=True)
    gas_lock: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting|pending|approved|rejected
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), index=True)
    handed_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    escalated_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    pending_since: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # the signed decision + assertion
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path


class GasAnalysis(Syncable, Base):
    """A manual gas analysis (Table A.1/A.2 columns): time, point, gas, result, analyst."""

    __tablename__ = "gas_analyses"
    __sync_entity__ = "gas_analysis"

    permit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("permits.id"), index=True)
    sampled_at: Mapped[datetime] = mapped_column()
    point: Mapped[str] = mapped_column(String(120))
    gas: Mapped[str] = mapped_column(String(40))
    result: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8))  # lel | vol | o2 | ppm
    passed: Mapped[bool] = mapped_column()
    verdict: Mapped[str] = mapped_column(Text)
    analyst_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path


class Absence(Syncable, Base):
    """An approver marked away (出差, leave): their steps go to their B角 meanwhile."""

    __tablename__ = "approver_absences"
    __sync_entity__ = "approver_absence"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(String(200), default="")
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path


class PermitEvent(IdMixin, Base):
    """What happened to a permit, in order: the permit history (mirrored into the audit log)."""

    __tablename__ = "permit_events"
    __table_args__ = (Index("ix_permit_events_permit_id_at", "permit_id", "at"),)

    permit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("permits.id"))
    at: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    text: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Notification(IdMixin, Timestamps, Base):
    """An in-app notification (e-permit push, hand-over, escalation); web push wires in later."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_person_id_created_at", "person_id", "created_at"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    permit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("permits.id"), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
