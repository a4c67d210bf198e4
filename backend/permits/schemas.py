"""Wire types of permits: requests, decisions with their passkey assertion, permit views, history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from backend.core.times import AwareDatetime
from backend.gas.schemas import LockState
from backend.permits.grading import Facts, GradeResult


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are an error, not silently dropped."""


class Location(Input):
    """Where the device was, in integer micro-degrees, so signed bytes never depend on float printing."""

    lat_e6: int
    lon_e6: int
    accuracy_m: int = 0


class PermitCreate(Input):
    work_type: str
    area_id: uuid.UUID
    content: str
    planned_start: AwareDatetime
    planned_end: AwareDatetime
    guardian_id: uuid.UUID | None = None
    operator_ids: list[uuid.UUID] = msgspec.field(default_factory=list)
    work_point: list[float] | None = None  # [x, y] on the site plan; default: the area's centre
    form: dict[str, Any] = msgspec.field(default_factory=dict)
    facts: Facts = msgspec.field(default_factory=Facts)
    extra_measures: list[str] = msgspec.field(default_factory=list)
    submit: bool = False


class DecisionBase(Input):
    step: str
    decision: str  # approve | reject
    comment: str = ""
    location: Location | None = None
    signed_at: str = ""  # the device's clock when signing, kept as evidence (never trusted for time)


class DecisionOptionsIn(DecisionBase, kw_only=True):
    pass


class DecisionIn(DecisionBase, kw_only=True):
    permit_version: int
    content_sha256: str
    credential: dict[str, Any]


class DecisionOptionsOut(msgspec.Struct, kw_only=True):
    canonical: str
    challenge: str
    options: dict[str, Any]
    permit_version: int
    content_sha256: str


class OnSiteIn(Input):
    location: Location | None = None
    comment: str = ""


class ReasonIn(Input):
    reason: str


class AnalysisIn(Input):
    sampled_at: AwareDatetime
    point: str
    gas: str  # a key of gas/data/gases.json, or "oxygen"
    result: float
    unit: str  # lel | vol | o2
    analyst_id: uuid.UUID | None = None


class AbsenceIn(Input):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = ""
    person_id: uuid.UUID | None = None  # default: the caller


class AbsenceOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    state: str  # upcoming | current | ended (ended early or over) | cancelled (never began)


class PersonRef(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    phone: str | None = None


class AreaRef(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    hazard_class: str


class CandidateOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    unit_name: str


class CandidatesOut(msgspec.Struct, kw_only=True):
    guardians: list[CandidateOut]
    operators: list[CandidateOut]


class SlotOut(msgspec.Struct, kw_only=True):
    key: str
    stage: int
    role: str
    status: str
    on_site: bool
    gas_lock: bool
    assignee: PersonRef | None
    handed_to: PersonRef | None
    escalated_to: PersonRef | None
    decided_by: PersonRef | None
    decided_at: datetime | None
    pending_since: datetime | None
    comment: str | None
    mine: bool


class AnalysisOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    sampled_at: datetime
    point: str
    gas: str
    result: float
    unit: str
    passed: bool
    verdict: str
    analyst: PersonRef | None


class PermitOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    title: str
    work_type: str
    work_type_name: str
    grade: str
    grade_label: str
    status: str
    status_reason: str | None
    area: AreaRef
    site_id: uuid.UUID
    applicant: PersonRef
    guardian: PersonRef | None
    operators: list[PersonRef]
    content: str
    form: dict[str, Any]
    facts: dict[str, Any]
    measures: list[Any]
    grading: dict[str, Any]
    simops: list[Any]
    work_point: list[Any] | None
    planned_start: datetime
    planned_end: datetime
    valid_until: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    version: int
    revision: int
    content_sha256: str
    slots: list[SlotOut]
    my_steps: list[str]
    gas: LockState | None = None
    analyses: list[AnalysisOut] = msgspec.field(default_factory=list)


class PermitSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    work_type: str
    work_type_name: str
    grade: str
    grade_label: str
    status: str
    area_name: str
    content: str
    planned_start: datetime
    valid_until: datetime
    my_steps: list[str]


class EventOut(msgspec.Struct, kw_only=True):
    at: datetime
    kind: str
    text: str
    actor: PersonRef | None
    detail: dict[str, Any]


class NotificationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    permit_id: uuid.UUID | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class SimopsConflict(msgspec.Struct, kw_only=True):
    permit_id: uuid.UUID
    other_id: uuid.UUID
    other_number: str
    action: str
    clause: str
    text: str
    distance_m: float


class MapPermit(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    work_type: str
    grade_label: str
    status: str
    area_id: uuid.UUID
    point: list[float]


class SimopsMapOut(msgspec.Struct, kw_only=True):
    site_id: uuid.UUID
    metres_per_pixel: float
    permits: list[MapPermit]
    conflicts: list[SimopsConflict]


class WorkTypeOut(msgspec.Struct, kw_only=True):
    code: str
    name: str
    name_en: str
    permit_title: str
    grades: list[str]
    fields: list[dict[str, Any]]
    measures: list[str]
    source: str


GradeOut = GradeResult


class ActivePermitOut(msgspec.Struct, kw_only=True):
    """What an edge node caches to judge unpermitted / out-of-scope work offline (docs/edge.md)."""

    number: str
    area_code: str
    work_type: str
    status: str
    valid_until: datetime
