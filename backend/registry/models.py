"""Registry check runs, each certificate's outcome (the verification history) and findings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin

RUN_STATUSES = ("running", "completed", "completed_with_errors", "not_configured")
# match: the registry agrees. error: no trustworthy answer after the retries (never "valid").
OUTCOMES = (
    "match", "not_found", "revoked", "expired", "wrong_item", "name_mismatch", "dates_mismatch",
    "renewed", "error",
)  # fmt: skip
FINDING_KINDS = {
    "not_found": "shadow_operator",
    "revoked": "shadow_operator",
    "expired": "shadow_operator",
    "wrong_item": "mismatch",
    "name_mismatch": "mismatch",
    "dates_mismatch": "mismatch",
    "renewed": "stale_ledger",
}
FINDING_STATUSES = ("open", "acknowledged", "resolved")


class RegistryRun(IdMixin, Base):
    """One daily (or manual) check; `cursor` is its checkpoint: every active certificate with an
    id up to it has its outcome stored, so a resumed run starts after it."""

    __tablename__ = "registry_runs"

    day: Mapped[date] = mapped_column(Date, index=True)
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | manual
    status: Mapped[str] = mapped_column(String(24), default="running")
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    cursor: Mapped[uuid.UUID | None] = mapped_column(default=None)
    total: Mapped[int] = mapped_column(Integer, default=0)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    discrepancies: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    resumes: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)


class RegistryCheck(IdMixin, Base):
    """One certificate's outcome in one run, with what the registry answered (history)."""

    __tablename__ = "registry_checks"
    __table_args__ = (
        UniqueConstraint("run_id", "certificate_id"),
        Index("ix_registry_checks_person_id_checked_at", "person_id", "checked_at"),
        Index("ix_registry_checks_run_id_outcome", "run_id", "outcome"),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_runs.id"))
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificates.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    scope_path: Mapped[str] = mapped_column(String(400))
    item_key: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(24))
    answer: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what the registry said; {} on error
    error: Mapped[str | None] = mapped_column(Text, default=None)
    checked_at: Mapped[datetime] = mapped_column()


class RegistryFinding(IdMixin, Base):
    """A discrepancy for the safety officer: open → acknowledged → resolved. One open finding per
    certificate and code; later runs that see it again bump `last_seen_at` and `seen`."""

    __tablename__ = "registry_findings"
    __table_args__ = (Index("ix_registry_findings_status_opened_at", "status", "opened_at"),)

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_runs.id"), index=True)
    check_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_checks.id"))
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificates.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # shadow_operator | mismatch | stale_ledger
    code: Mapped[str] = mapped_column(String(24))  # the outcome that opened it
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # ours vs the registry's
    action: Mapped[str] = mapped_column(String(24))  # frozen | ledger_updated | none
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    seen: Mapped[int] = mapped_column(Integer, default=1)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")
