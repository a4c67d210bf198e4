"""Organisation rules: build the tree, scoped reads of units, areas and the site map."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.org.models import UNIT_KINDS, Area, OrgUnit, SafetyFeature, SitePlan
from backend.org.schemas import AreaOut, FeatureOut, SiteMapOut, UnitOut

CHILD_KIND = {"enterprise": "site", "site": "workshop", "workshop": "team"}


async def create_unit(db: AsyncSession, kind: str, code: str, name: str, parent: OrgUnit | None) -> OrgUnit:
    """A unit under its parent; the kind must be the parent's next level."""
    if kind not in UNIT_KINDS:
        raise Invalid(f"未知组织类型 {kind}", code="unit_kind")
    if (parent is None) != (kind == "enterprise") or (parent and CHILD_KIND.get(parent.kind) != kind):
        raise Invalid("组织层级必须为 企业→厂区→车间→班组", code="unit_hierarchy")
    path = (parent.path if parent else "/") + code + "/"
    unit = OrgUnit(kind=kind, code=code, name=name, parent_id=parent.id if parent else None, path=path)
    db.add(unit)
    await db.flush()
    return unit


def unit_out(unit: OrgUnit) -> UnitOut:
    return UnitOut(
        id=unit.id, kind=unit.kind, code=unit.code, name=unit.name, parent_id=unit.parent_id, path=unit.path
    )


async def _visible_unit(db: AsyncSession, who: Principal, unit_id: uuid.UUID) -> OrgUnit:
    unit = await db.get(OrgUnit, unit_id)
    if unit is None or unit.deleted_at is not None:
        raise NotFound("组织单元不存在", code="unit_unknown")
    if not who.can_see_unit(unit.path):
        raise Forbidden("无权查看该组织单元", code="out_of_scope")
    return unit


async def read_unit(db: AsyncSession, who: Principal, unit_id: uuid.UUID) -> UnitOut:
    return unit_out(await _visible_unit(db, who, unit_id))


async def list_units(db: AsyncSession, who: Principal) -> list[UnitOut]:
    units = (
        await db.scalars(select(OrgUnit).where(OrgUnit.deleted_at.is_(None)).order_by(OrgUnit.path))
    ).all()
    return [unit_out(u) for u in units if who.can_see_unit(u.path)]


async def site_map(db: AsyncSession, who: Principal, site_id: uuid.UUID) -> SiteMapOut:
    """Areas, escape routes and safety features of a site the caller works in or oversees."""
    site = await _visible_unit(db, who, site_id)
    if site.kind != "site":
        raise Invalid("只有厂区有平面图", code="not_a_site")
    plan = await db.scalar(select(SitePlan).where(SitePlan.site_id == site.id))
    areas = (await db.scalars(select(Area).where(Area.site_id == site.id, Area.deleted_at.is_(None)))).all()
    features = (
        await db.scalars(
            select(SafetyFeature).where(SafetyFeature.site_id == site.id, SafetyFeature.deleted_at.is_(None))
        )
    ).all()
    return SiteMapOut(
        site=unit_out(site),
        plan_url=f"/api/org/sites/{site.id}/plan.png" if plan else None,
        width=plan.width if plan else 0,
        height=plan.height if plan else 0,
        areas=[
            AreaOut(
                id=a.id,
                code=a.code,
                name=a.name,
                hazard_class=a.hazard_class,
                plan_polygon=a.plan_polygon,
                gps_polygon=a.gps_polygon,
                escape_route=a.escape_route,
            )
            for a in areas
        ],
        features=[
            FeatureOut(id=f.id, kind=f.kind, label=f.label, x=f.x, y=f.y, area_id=f.area_id) for f in features
        ],
    )


async def plan_image_path(db: AsyncSession, who: Principal, site_id: uuid.UUID) -> str:
    await site_map(db, who, site_id)
    plan = await db.scalar(select(SitePlan).where(SitePlan.site_id == site_id))
    if plan is None:
        raise NotFound("该厂区没有平面图", code="plan_missing")
    return plan.image_path
