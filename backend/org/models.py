"""Org units, site plans, areas (hazard class + polygon) and safety features."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin, Syncable, Timestamps

UNIT_KINDS = ("enterprise", "site", "workshop", "team")
# Hazard classes of an area; GB 30871-2022 grading reads these (§5.1, B.1).
HAZARD_CLASSES = (
    "fire_class_a",  # 甲类火灾爆炸危险区
    "fire_class_b",  # 乙类
    "tank_farm_dike",  # 罐区防火堤内
    "pipe_rack",  # 管廊
    "confined_space",  # 受限空间
    "general",  # 一般区域
)
FEATURE_KINDS = ("extinguisher", "assembly_point", "eyewash", "hydrant", "gas_detector")


class OrgUnit(Syncable, Base):
    """One node of the organisation tree; `path` (/ENT/SITE/WS/TEAM/) makes scope checks a prefix test."""

    __tablename__ = "org_units"
    __sync_entity__ = "org_unit"

    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.path


class SitePlan(IdMixin, Timestamps, Base):
    """The site-plan image that area polygons and features are drawn on (plan pixels)."""

    __tablename__ = "site_plans"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"), unique=True)
    image_path: Mapped[str] = mapped_column(String(300))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class Area(Syncable, Base):
    """A place where work happens, with the hazard class that drives permit grading."""

    __tablename__ = "areas"
    __sync_entity__ = "area"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"), index=True)
    workshop_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    hazard_class: Mapped[str] = mapped_column(String(32))
    plan_polygon: Mapped[list[Any]] = mapped_column()
    gps_polygon: Mapped[list[Any] | None] = mapped_column(default=None)
    escape_route: Mapped[list[Any]] = mapped_column(default=list)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path


class SafetyFeature(Syncable, Base):
    """A fire extinguisher, assembly point, eyewash… positioned on the site plan."""

    __tablename__ = "safety_features"
    __sync_entity__ = "safety_feature"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"), index=True)
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(120))
    x: Mapped[int] = mapped_column(Integer)
    y: Mapped[int] = mapped_column(Integer)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path
