"""Certificates and the records around them: events, training, practical exams, violations,
assignments (which items a worker's job needs), off-the-job periods and freezes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Syncable

FAMILIES = ("mem", "mohurd", "samr")
# valid → review_due (the application window is open) → expired (the deadline passed) → shadow
# (lapsed > policy.shadow_after_days while the holder is still employed); revoked at any time.
STATUSES = ("valid", "review_due", "expired", "shadow", "revoked")
USABLE = ("valid", "review_due")
DEADLINE_KINDS = ("review", "renewal", "extension")
FREEZE_REASONS = (
    "expired", "review_overdue", "review_failed", "revoked", "left", "suspended", "manual", "registry",
)  # fmt: skip
EVENT_KINDS = ("issued", "imported", "reviewed", "review_failed", "renewed", "revoked", "edited")


class Certificate(Syncable, Base):
    """One certificate for one operation item of one person.

    The number is encrypted (a 特种作业 number is "T" + the ID number: sensitive under PIPL)
    with a blind index and a masked copy. `review_due_on`, `deadline_on`, `deadline_kind` and
    `window_opens_on` are computed from the catalogue's dated rules whenever the dates change;
    `status` is recomputed by the daily scan (set-based), so the ledger can filter on it.
    """

    __tablename__ = "certificates"
    __sync_entity__ = "certificate"
    # Status is a server-side cache derived from the dates; phones derive it themselves.
    __sync_exclude__ = frozenset({"number_enc", "number_index", "status"})
    __sync_owner__ = "person_id"  # the holder pulls their own certificates
    __table_args__ = (
        UniqueConstraint("person_id", "item_key"),
        Index("ix_certificates_status_deadline_on", "status", "deadline_on"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    family: Mapped[str] = mapped_column(String(16), index=True)
    scheme: Mapped[str] = mapped_column(String(32))
    item_key: Mapped[str] = mapped_column(String(40), index=True)
    item_limit: Mapped[str | None] = mapped_column(String(64), default=None)  # e.g. 限桥式起重机
    number_enc: Mapped[str] = mapped_column(String(200))
    number_index: Mapped[str] = mapped_column(String(64), index=True)
    number_masked: Mapped[str] = mapped_column(String(40))
    issuing_authority: Mapped[str] = mapped_column(String(120), default="")
    first_issued_on: Mapped[date | None] = mapped_column(Date, default=None)  # 初领日期
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date, default=None)
    review_failed_on: Mapped[date | None] = mapped_column(Date, default=None)
    review_extended: Mapped[bool] = mapped_column(Boolean, default=False)  # 30号令 Art. 21: 6-yearly
    review_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    deadline_on: Mapped[date] = mapped_column(Date, index=True)  # the last valid day as things stand
    deadline_kind: Mapped[str] = mapped_column(String(16))
    window_opens_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    photos: Mapped[list[Any]] = mapped_column(default=list)
    import_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    def sync_scope_path(self) -> str:
        return self.scope_path


class CertificateEvent(IdMixin, Base):
    """Append-only history of a certificate: issued, reviewed, renewed, revoked…"""

    __tablename__ = "certificate_events"

    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    on_date: Mapped[date] = mapped_column(Date)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    created_at: Mapped[datetime] = mapped_column()


class _PersonRecord(Syncable):
    """Columns every per-person record shares: whose, and the scope phones replicate it under."""

    __sync_owner__ = "person_id"  # the person pulls their own records; managers by scope

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path


class TrainingRecord(_PersonRecord, Base):
    """安全技术培训: initial, review (≥ 8 学时 before a review, UNCONFIRMED) or refresher training."""

    __tablename__ = "training_records"
    __sync_entity__ = "training_record"

    item_key: Mapped[str | None] = mapped_column(String(40), default=None)
    kind: Mapped[str] = mapped_column(String(16))  # initial | review | refresher
    hours: Mapped[int | None] = mapped_column(Integer, default=None)
    provider: Mapped[str] = mapped_column(String(120), default="")
    completed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class PracticalAssessment(_PersonRecord, Base):
    """实际操作考核: who assessed whom on which item, when, and the result."""

    __tablename__ = "practical_assessments"
    __sync_entity__ = "practical_assessment"

    item_key: Mapped[str] = mapped_column(String(40))
    assessed_on: Mapped[date] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column(Boolean)
    assessor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class Violation(_PersonRecord, Base):
    """A recorded violation (违章): reviews look at these (TSG Z6001-2019: none while certified)."""

    __tablename__ = "violations"
    __sync_entity__ = "violation"

    certificate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("certificates.id"), default=None)
    occurred_on: Mapped[date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(16))  # minor | serious
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)


class Assignment(_PersonRecord, Base):
    """An operation item the worker's job needs: without a usable certificate they are a shadow operator."""

    __tablename__ = "worker_assignments"
    __sync_entity__ = "worker_assignment"
    __table_args__ = (UniqueConstraint("person_id", "item_key"),)

    item_key: Mapped[str] = mapped_column(String(40), index=True)
    assigned_on: Mapped[date] = mapped_column(Date)


class OffJobPeriod(_PersonRecord, Base):
    """离岗: 30号令 — off the job ≥ 6 months → a new practical exam before working again."""

    __tablename__ = "off_job_periods"
    __sync_entity__ = "off_job_period"

    item_key: Mapped[str | None] = mapped_column(String(40), default=None)  # None: every item
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, default=None)
    reason: Mapped[str] = mapped_column(String(120), default="")


class Freeze(_PersonRecord, Base):
    """A freeze: gate access revoked and permits needing the item refused until it is lifted.

    `certificate_id`/`item_key` set: the freeze is about that certificate (T-0). Both None: the
    whole person is frozen (left the company, suspended, or frozen by hand).
    """

    __tablename__ = "freezes"
    __sync_entity__ = "freeze"
    __table_args__ = (Index("ix_freezes_person_id_lifted_at", "person_id", "lifted_at"),)

    certificate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("certificates.id"), default=None)
    item_key: Mapped[str | None] = mapped_column(String(40), default=None)
    reason: Mapped[str] = mapped_column(String(24))
    frozen_at: Mapped[datetime] = mapped_column()
    lifted_at: Mapped[datetime | None] = mapped_column(default=None)
    lifted_reason: Mapped[str | None] = mapped_column(String(120), default=None)
