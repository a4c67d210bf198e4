"""Wire types: dashboard, one indicator's drill-down and records, alarm verdicts, calibrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from backend.core.times import AwareDatetime

Note = Annotated[str, msgspec.Meta(max_length=300)]
Status = Literal["ok", "breach", "no_data"]


class TrendPoint(msgspec.Struct):
    start: datetime
    end: datetime
    value: float | None


class IndicatorOut(msgspec.Struct):
    key: str
    family: str  # people | process | equipment | environment | response
    label: dict[str, str]
    unit: str
    op: str  # le | ge
    target: float
    value: float | None
    status: Status
    numerator: float | None
    denominator: float | None
    trend: list[TrendPoint]


class UnitRef(msgspec.Struct):
    id: uuid.UUID
    kind: str
    code: str
    name: str
    path: str


class DashboardOut(msgspec.Struct):
    unit: UnitRef
    since: datetime
    until: datetime
    bucket_days: int
    trade: str | None
    person_id: uuid.UUID | None
    indicators: list[IndicatorOut]
    children: list[UnitRef]
    trades: list[str]


class GroupOut(msgspec.Struct):
    key: str
    label: str
    value: float | None
    status: Status
    numerator: float | None
    denominator: float | None
    unit_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None


class RecordOut(msgspec.Struct):
    kind: str
    id: str
    at: datetime | None
    label: str
    value: float | None
    flagged: bool


class IndicatorDetailOut(msgspec.Struct):
    indicator: IndicatorOut
    by: str
    groups: list[GroupOut]
    records: list[RecordOut]
    records_total: int


class AlarmReviewIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    verdict: Literal["confirmed", "false_positive"]
    note: Note = ""


class AlarmReviewOut(msgspec.Struct):
    alarm_id: uuid.UUID
    verdict: str
    reviewer_id: uuid.UUID
    reviewed_at: datetime
    note: str


class CalibrationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A bump test / calibration: the reference gas applied and what the detector showed."""

    detector_id: uuid.UUID
    calibrated_at: AwareDatetime
    reference_gas: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    reference_value: Annotated[float, msgspec.Meta(gt=0, le=1_000_000)]
    reading: Annotated[float, msgspec.Meta(ge=0, le=1_000_000)]
    unit: Literal["lel", "ppm", "vol"]
    technician: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    note: Note = ""


class CalibrationOut(msgspec.Struct):
    id: uuid.UUID
    detector_id: uuid.UUID
    detector_code: str
    calibrated_at: datetime
    reference_gas: str
    reference_value: float
    reading: float
    unit: str
    deviation_percent: float
    within_tolerance: bool
    technician: str
    note: str


class CalibrationImportOut(msgspec.Struct):
    imported: int


class DetectorStateOut(msgspec.Struct):
    """A detector's calibration standing; `flag` is None when it may feed the live gas lock."""

    detector_id: uuid.UUID
    code: str
    name: str
    last_calibrated_at: datetime | None
    last_deviation_percent: float | None
    flag: Literal["never_calibrated", "overdue", "out_of_tolerance"] | None


class WindowOut(msgspec.Struct):
    start: str
    end: str
    days_with: int
    days_total: int


class EvidenceOut(msgspec.Struct):
    tag: str
    active_in_anomaly: float
    active_otherwise: float
    mean_in_anomaly: float
    correlation: float | None


class EpisodeOut(msgspec.Struct):
    start: datetime
    end: datetime
    peak: float
    shape: str


class RootCauseOut(msgspec.Struct):
    detector_id: uuid.UUID
    code: str
    gas: str
    unit: str  # of baseline, threshold and episode peaks: ppm for toxic gases, else %LEL (gas/units.py)
    since: datetime
    until: datetime
    verdict: str  # no_data | normal | interference | recurring_unexplained | possible_leak | sporadic
    finding: dict[str, str]
    suggested_tag: str | None
    baseline: float
    threshold: float
    windows: list[WindowOut]
    evidence: list[EvidenceOut]
    episodes: list[EpisodeOut]


DetectorTagCode = Literal[
    "vibration_interference", "electrical_interference", "sensor_drift", "genuine_leak", "other"
]


class DetectorTagIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tag: DetectorTagCode
    finding: Annotated[str, msgspec.Meta(max_length=600)] = ""
    fix: Annotated[str, msgspec.Meta(max_length=600)] = ""


class DetectorTagOut(msgspec.Struct):
    id: uuid.UUID
    detector_id: uuid.UUID
    tag: str
    label: dict[str, str]
    finding: str
    fix: str
    recorded_by: uuid.UUID
    recorded_at: datetime


class ScadaImportOut(msgspec.Struct):
    imported: int
    tags: list[str]


class ScadaSampleIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One SCADA sample an edge node read over Modbus."""

    tag: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    at: AwareDatetime
    value: float


class ScadaSamplesIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    samples: Annotated[list[ScadaSampleIn], msgspec.Meta(max_length=1000)]


class ScadaSamplesOut(msgspec.Struct):
    accepted: int  # new samples stored (a resent one is skipped)
    tags: list[str]


class AcceptanceCheckOut(msgspec.Struct):
    key: str
    label: dict[str, str]
    value: float | None
    limit: float
    op: str
    passed: bool
    text: dict[str, str]


class AcceptanceOut(msgspec.Struct):
    """The 72-hour acceptance test of a new detector (docs/analytics.md "Acceptance test")."""

    detector_id: uuid.UUID
    code: str
    gas: str
    commissioned_at: datetime
    window_end: datetime
    interval_s: float
    verdict: Literal["pass", "fail", "in_progress"]
    reasons: list[dict[str, str]]
    expected_samples: int
    received_samples: int
    completeness_percent: float
    longest_gap_s: float
    longest_gap_at: datetime | None
    dropouts: int
    noise: float | None
    zero_drift: float | None
    out_of_range: int
    alarms: int
    calibrations: int
    calibration_deviation_percent: float | None
    calibration_drift_percent: float | None
    checks: list[AcceptanceCheckOut]


class GasPointOut(msgspec.Struct):
    start: datetime  # the UTC hour or day
    count: int
    min: float | None
    max: float | None
    mean: float | None


class GasSeriesOut(msgspec.Struct):
    detector_id: uuid.UUID
    code: str
    since: datetime
    until: datetime
    bucket: Literal["hour", "day"]
    points: list[GasPointOut]
