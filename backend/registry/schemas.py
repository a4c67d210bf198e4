"""The registry check's API shapes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import msgspec


class RunOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    day: date
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    total: int
    checked: int
    matched: int
    discrepancies: int
    errors: int
    resumes: int
    requests: int


class LastRunOut(msgspec.Struct, kw_only=True):
    run: RunOut | None
    configured: bool
    outcomes: dict[str, int] = msgspec.field(default_factory=dict)  # the run's checks by outcome


class FindingOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    certificate_id: uuid.UUID
    item_key: str
    number_masked: str
    kind: str
    code: str
    action: str
    status: str
    detail: dict[str, Any]
    opened_at: datetime
    last_seen_at: datetime
    seen: int
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    note: str


class FindingsOut(msgspec.Struct, kw_only=True):
    items: list[FindingOut]
    counts: dict[str, int]


class FindingNote(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class CheckOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    run_id: uuid.UUID
    certificate_id: uuid.UUID
    item_key: str
    outcome: str
    answer: dict[str, Any]
    error: str | None
    checked_at: datetime


class HistoryOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    person_name: str
    checks: list[CheckOut]
