"""Wire types for device registration, device status reports and the board's view of devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

Health = Literal["ok", "degraded", "fault"]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100)]


class DeviceCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: Literal["edge", "wearable"]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    site_code: str
    person_id: uuid.UUID | None = None  # the wearer of a wearable


class DeviceOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    name: str
    site_id: uuid.UUID | None
    person_id: uuid.UUID | None
    token: str | None = None  # shown once, when the device is created


class PlanPoint(msgspec.Struct, forbid_unknown_fields=True):
    x: Annotated[int, msgspec.Meta(ge=0, le=100_000)]
    y: Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class GpsPoint(msgspec.Struct, forbid_unknown_fields=True):
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class Vitals(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    heart_rate: Annotated[int, msgspec.Meta(ge=0, le=300)] | None = None
    body_temp_c: Annotated[float, msgspec.Meta(ge=20, le=45)] | None = None


class Environment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    temp_c: Annotated[float, msgspec.Meta(ge=-60, le=150)] | None = None
    humidity_pct: Percent | None = None


class Component(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One detector behind an edge node: a camera, a gas detector, the on-site coil (声光报警)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    health: Health = "ok"
    detail: Annotated[str, msgspec.Meta(max_length=200)] = ""


class TelemetryIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A device's status report: wearables send position and vitals, edge nodes their detectors."""

    position: PlanPoint | None = None
    gps: GpsPoint | None = None
    vitals: Vitals | None = None
    environment: Environment | None = None
    battery_pct: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    health: Health = "ok"
    components: Annotated[list[Component], msgspec.Meta(max_length=64)] = []


class DeviceStatusOut(msgspec.Struct, kw_only=True):
    device_id: uuid.UUID
    name: str
    kind: str
    person_id: uuid.UUID | None
    person_name: str | None
    x: int | None
    y: int | None
    lat: float | None
    lon: float | None
    heart_rate: int | None
    body_temp_c: float | None
    ambient_temp_c: float | None
    humidity_pct: float | None
    battery_pct: int | None
    health: str
    online: bool
    components: list[Any]
    reported_at: datetime


class InterlockResetIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A person's reset of a latched power cut on an edge node (the coil the node latched)."""

    coil: Annotated[int, msgspec.Meta(ge=0, le=65535)]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class CommandOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    reason: str
    requested_at: datetime
    done_at: datetime | None = None
    result: str | None = None
    result_detail: str = ""


class CommandResultIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ok: bool
    detail: Annotated[str, msgspec.Meta(max_length=200)] = ""
