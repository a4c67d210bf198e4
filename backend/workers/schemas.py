"""Wire types of qualifications: certificates with their countdown, the ledger, the answer to
"may this person do X?", and the records around a worker. ID numbers only ever masked."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

import msgspec

from backend.auth.schemas import Input

Employment = Literal["active", "suspended", "left"]
Status = Literal["valid", "review_due", "expired", "shadow", "revoked"]


class CertificateCreate(Input):
    person_id: uuid.UUID
    item_key: str
    number: str
    issued_on: date
    valid_until: date | None = None
    issuing_authority: str = ""
    first_issued_on: date | None = None
    last_reviewed_on: date | None = None
    item_limit: str | None = None
    review_extended: bool = False


class ReviewIn(Input):
    reviewed_on: date
    passed: bool
    authority: str = ""
    note: str = ""


class RenewalIn(Input):
    issued_on: date
    valid_until: date | None = None
    number: str | None = None
    issuing_authority: str | None = None


class RevokeIn(Input):
    reason: str


class EmploymentIn(Input):
    status: Employment


class AssignmentIn(Input):
    item_key: str
    assigned_on: date | None = None


class TrainingIn(Input):
    kind: Literal["initial", "review", "refresher"]
    completed_on: date
    item_key: str | None = None
    hours: int | None = None
    provider: str = ""
    note: str = ""


class AssessmentIn(Input):
    item_key: str
    assessed_on: date
    passed: bool
    assessor: str
    note: str = ""


class ViolationIn(Input):
    occurred_on: date
    severity: Literal["minor", "serious"]
    description: str
    certificate_id: uuid.UUID | None = None


class OffJobIn(Input):
    started_on: date
    ended_on: date | None = None
    item_key: str | None = None
    reason: str = ""


class ContractorCreate(Input):
    name: str
    credit_code: str


class PersonBrief(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    id_number_masked: str
    unit_path: str
    unit_name: str
    workshop_name: str
    contractor_id: uuid.UUID | None
    contractor_name: str | None
    employment: str


class CertificateOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    person_id: uuid.UUID
    family: str
    family_name: str
    scheme: str
    item_key: str
    item_name: str
    category_name: str
    item_limit: str | None
    number: str  # masked when it carries an ID number
    issuing_authority: str
    first_issued_on: date | None
    issued_on: date
    valid_until: date
    last_reviewed_on: date | None
    review_due_on: date | None
    deadline_on: date
    deadline_kind: str
    window_opens_on: date
    apply_by: date
    days_left: int
    status: str
    lapse: str | None
    frozen: bool
    how_to_apply: str
    how_to_apply_en: str
    where_to_apply: str
    query_site: str
    photos: list[str]
    version: int


class ReasonOut(msgspec.Struct, kw_only=True):
    code: str
    detail: str
    params: dict[str, Any]


class QualificationOut(msgspec.Struct, kw_only=True):
    allowed: bool
    person_id: uuid.UUID
    item_key: str
    on: date
    reasons: list[ReasonOut]
    certificate_id: uuid.UUID | None
    deadline_on: date | None


class FreezeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reason: str
    item_key: str | None
    certificate_id: uuid.UUID | None
    frozen_at: str
    lifted_at: str | None


class RecordOut(msgspec.Struct, kw_only=True):
    """Training, practical assessments, violations, assignments, off-job periods: one shape."""

    id: uuid.UUID
    kind: str
    on: date
    item_key: str | None
    summary: str
    data: dict[str, Any]


class WorkerOut(msgspec.Struct, kw_only=True):
    person: PersonBrief
    frozen: bool
    freezes: list[FreezeOut]
    certificates: list[CertificateOut]
    assignments: list[RecordOut]
    training: list[RecordOut]
    assessments: list[RecordOut]
    violations: list[RecordOut]
    off_job: list[RecordOut]


class LedgerRow(msgspec.Struct, kw_only=True):
    person: PersonBrief
    certificate: CertificateOut


class LedgerPage(msgspec.Struct, kw_only=True):
    items: list[LedgerRow]
    total: int
    offset: int
    limit: int
    by_status: dict[str, int]


class ShadowOut(msgspec.Struct, kw_only=True):
    person: PersonBrief
    item_key: str
    item_name: str
    reason: str
    certificate_id: uuid.UUID | None
    deadline_on: date | None
    days_lapsed: int | None


class FrozenOut(msgspec.Struct, kw_only=True):
    person: PersonBrief
    freezes: list[FreezeOut]


class IdNumberOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    id_number: str


class ContractorOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    credit_code: str
    workers: int
    active: int
    frozen: int


class EmploymentOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    employment: str
    changed: bool
    frozen: bool
