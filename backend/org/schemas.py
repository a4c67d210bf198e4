"""Wire types for the organisation tree, areas and site plans."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec


class UnitOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    code: str
    name: str
    parent_id: uuid.UUID | None
    path: str


class FeatureOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    label: str
    x: int
    y: int
    area_id: uuid.UUID | None


class AreaOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    hazard_class: str
    plan_polygon: list[Any]
    gps_polygon: list[Any] | None
    escape_route: list[Any]


class SiteMapOut(msgspec.Struct, kw_only=True):
    site: UnitOut
    plan_url: str | None
    width: int
    height: int
    areas: list[AreaOut]
    features: list[FeatureOut]
