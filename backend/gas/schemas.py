"""Wire types of the gas domain: readings from edge nodes, detectors, the live lock."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from backend.core.times import AwareDatetime


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are an error."""


class ReadingIn(Input):
    detector: str  # detector code
    measured_at: AwareDatetime
    lel_percent: float | None = None
    o2_percent: float | None = None


class ReadingsIn(Input):
    readings: list[ReadingIn] = msgspec.field(default_factory=list)


class ReadingsOut(msgspec.Struct, kw_only=True):
    accepted: int
    out_of_limits: int
    suspended_permits: list[str]


class DetectorIn(Input):
    area_id: uuid.UUID
    code: str
    name: str
    gas: str
    kind: str = "fixed"
    device_id: uuid.UUID | None = None


class DetectorOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    area_id: uuid.UUID | None
    gas: str
    kind: str


class DetectorState(msgspec.Struct, kw_only=True):
    code: str
    name: str
    gas: str
    limit_lel_percent: float
    latest_lel_percent: float | None
    latest_o2_percent: float | None
    latest_at: datetime | None
    ok: bool


class LockState(msgspec.Struct, kw_only=True):
    locked: bool
    code: str
    reason: str
    window_minutes: int
    checked_at: datetime
    detectors: list[DetectorState]
    unlock_at: datetime | None = None
