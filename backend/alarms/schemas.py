"""Wire types: the device ingest contract, SOS from the app, alarm views, board, KPI."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from backend.core.times import AwareDatetime
from backend.devices.schemas import DeviceStatusOut, GpsPoint, PlanPoint
from backend.org.schemas import SiteMapOut

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]
Note = Annotated[str, msgspec.Meta(max_length=300)]


class AlarmIngest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What an edge node or wearable uplinks (docs/alarms.md "Device ingest").

    `alarm_id` is minted by the device (UUIDv7 preferred) and makes the uplink idempotent.
    """

    alarm_id: uuid.UUID
    kind: Code
    raised_at: AwareDatetime
    area_code: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    position: PlanPoint | None = None
    gps: GpsPoint | None = None
    message: Note = ""
    detail: dict[str, Any] = {}
    snapshot_jpeg: Annotated[str, msgspec.Meta(max_length=700_000)] | None = None  # base64, ≤ 512 KiB
    # An edge node relaying a wristband: the band's wearer becomes the alarm's subject.
    band_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class SosIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """一键 SOS from the app; `alarm_id` is minted on the phone so an offline retry is the same SOS."""

    alarm_id: uuid.UUID
    raised_at: AwareDatetime
    gps: GpsPoint | None = None
    accuracy_m: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None
    area_id: uuid.UUID | None = None
    message: Note = ""


class IngestOut(msgspec.Struct, kw_only=True):
    alarm_id: uuid.UUID
    tier: int
    state: str
    duplicate: bool
    recipients: int


class AckIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    op_id: uuid.UUID | None = None  # the phone's operation id when the ack was queued offline
    acked_on_device_at: AwareDatetime | None = None


class AckOp(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Args of the sync command `alarm.ack` (entity `alarm`, entity_id = the alarm)."""

    acked_on_device_at: AwareDatetime | None = None  # the phone's clock: shown, never used for the KPI


class SosOp(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Args of the sync command `alarm.sos`; the op's entity_id is the alarm id the phone minted."""

    raised_at: AwareDatetime
    gps: GpsPoint | None = None
    accuracy_m: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None
    area_id: uuid.UUID | None = None
    message: Note = ""


class ResolveIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    resolution: Note = ""


class AssignIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    person_id: uuid.UUID


class RecipientOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    name: str
    role: str
    level: int
    devices: int
    stands_in_for: uuid.UUID | None = None  # B角: reached instead of this person, who was away
    stands_in_for_name: str | None = None


class AlarmOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    tier: int
    labels: dict[str, Any]
    state: str
    level: int
    source: str
    site_id: uuid.UUID
    site_name: str
    area_id: uuid.UUID | None
    area_name: str | None
    x: int | None
    y: int | None
    lat: float | None
    lon: float | None
    subject_person_id: uuid.UUID | None
    subject_name: str | None
    message: str
    has_image: bool
    raised_at: datetime
    received_at: datetime
    notified_at: datetime | None
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None
    acknowledged_by_name: str | None
    response_seconds: float | None
    assigned_to: uuid.UUID | None
    assigned_name: str | None
    resolved_at: datetime | None
    resolution: str
    version: int
    recipients: list[RecipientOut] = []


class TierKpi(msgspec.Struct, kw_only=True):
    tier: int
    raised: int
    acknowledged: int
    within_target: int
    target_seconds: int
    p50_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None
    notify_p50_seconds: float | None
    notify_p95_seconds: float | None


class KpiOut(msgspec.Struct, kw_only=True):
    since: datetime
    until: datetime
    site_id: uuid.UUID | None
    tiers: list[TierKpi]


class BoardOut(msgspec.Struct, kw_only=True):
    site: SiteMapOut
    alarms: list[AlarmOut]
    devices: list[DeviceStatusOut]
    kpi: KpiOut
    people: list[dict[str, Any]]  # who can be assigned: id, name, roles
