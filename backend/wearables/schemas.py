"""Wire types: band samples an edge node relays, the bands it may relay, a band's history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from backend.core.times import AwareDatetime
from backend.devices.schemas import GpsPoint, PlanPoint

BandId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class BandSample(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One wristband report, as the node decoded it from MQTT or HTTP (docs/edge.md "Wearables")."""

    band_id: BandId
    sampled_at: AwareDatetime
    position: PlanPoint | None = None
    gps: GpsPoint | None = None
    heart_rate: Annotated[int, msgspec.Meta(ge=0, le=300)] | None = None
    skin_temp_c: Annotated[float, msgspec.Meta(ge=0, le=50)] | None = None
    ambient_temp_c: Annotated[float, msgspec.Meta(ge=-60, le=80)] | None = None
    humidity_pct: Annotated[float, msgspec.Meta(ge=0, le=100)] | None = None
    battery_pct: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None


class BandSamplesIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    readings: Annotated[list[BandSample], msgspec.Meta(min_length=1, max_length=500)]


class BandSamplesOut(msgspec.Struct, kw_only=True):
    accepted: int  # stored now (a repeat of a stored sample is not counted)
    unknown_bands: list[str]  # band ids not registered on the node's site: dropped, not retried


class BandOut(msgspec.Struct, kw_only=True):
    """A band the node may relay, and who wears it (the node's cache for alarm texts)."""

    band_id: str
    device_id: uuid.UUID
    person_id: uuid.UUID | None
    person_name: str | None


class SampleOut(msgspec.Struct, kw_only=True):
    sampled_at: datetime
    x: int | None
    y: int | None
    lat: float | None
    lon: float | None
    heart_rate: int | None
    skin_temp_c: float | None
    ambient_temp_c: float | None
    humidity_pct: float | None
    battery_pct: int | None
