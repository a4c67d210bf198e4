"""SIMOPS: live permits near each other in space and time, judged by the standard's distances."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.core.errors import Forbidden, NotFound
from backend.org.models import OrgUnit
from backend.permits.catalogue import Policy, SimopsRule
from backend.permits.epermit import site_scale
from backend.permits.geo import plan_distance_m
from backend.permits.models import LIVE, Permit
from backend.permits.schemas import MapPermit, SimopsConflict, SimopsMapOut


def _matches(spec: str, permit: Permit) -> bool:
    if spec == "*":
        return True
    if spec.startswith("activity:"):
        return spec.split(":", 1)[1] in (permit.facts.get("activities") or [])
    return permit.work_type == spec


def _applies(rule: SimopsRule, a: Permit, b: Permit, distance: float) -> bool:
    if not (_matches(rule.work_type, a) and _matches(rule.other, b)):
        return False
    if rule.same_pipe:
        pipe = a.facts.get("pipe")
        return bool(pipe) and pipe == b.facts.get("pipe")
    if rule.within_m == 0:
        return a.area_id == b.area_id
    return distance <= rule.within_m


def judge(rules: list[SimopsRule], a: Permit, b: Permit, distance: float) -> SimopsRule | None:
    """The first rule that applies either way round; blocking rules are checked before warnings."""
    ordered = sorted(rules, key=lambda r: r.action != "block")
    for rule in ordered:
        if _applies(rule, a, b, distance) or _applies(rule, b, a, distance):
            return rule
    return None


def _overlap(a: Permit, b: Permit) -> bool:
    return a.planned_start < b.valid_until and b.planned_start < a.valid_until


async def conflicts(db: AsyncSession, permit: Permit, pol: Policy) -> list[SimopsConflict]:
    """Other live permits on the site whose time overlaps and whose distance triggers a rule."""
    others = await db.scalars(
        select(Permit).where(
            Permit.site_id == permit.site_id, Permit.status.in_(LIVE), Permit.id != permit.id
        )
    )
    scale = await site_scale(db, permit.site_id)
    out = []
    for other in others:
        if not _overlap(permit, other) or not permit.work_point or not other.work_point:
            continue
        distance = plan_distance_m(permit.work_point, other.work_point, scale)
        rule = judge(pol.simops, permit, other, distance)
        if rule is not None:
            out.append(
                SimopsConflict(
                    permit_id=permit.id,
                    other_id=other.id,
                    other_number=other.number,
                    action=rule.action,
                    clause=rule.clause,
                    text=rule.text,
                    distance_m=round(distance, 1),
                )
            )
    return out


async def site_map(db: AsyncSession, who: Principal, site_id: uuid.UUID, pol: Policy) -> SimopsMapOut:
    """Every live permit on a site with the pairs that conflict, for the SIMOPS map."""
    site = await db.get(OrgUnit, site_id)
    if site is None or site.kind != "site":
        raise NotFound("厂区不存在", code="site_unknown")
    if not who.can_see_unit(site.path):
        raise Forbidden("无权查看该厂区", code="out_of_scope")
    permits = list(await db.scalars(select(Permit).where(Permit.site_id == site_id, Permit.status.in_(LIVE))))
    scale = await site_scale(db, site_id)
    pairs = []
    for i, a in enumerate(permits):
        for b in permits[i + 1 :]:
            if not _overlap(a, b) or not a.work_point or not b.work_point:
                continue
            distance = plan_distance_m(a.work_point, b.work_point, scale)
            rule = judge(pol.simops, a, b, distance)
            if rule:
                pairs.append(
                    SimopsConflict(
                        permit_id=a.id,
                        other_id=b.id,
                        other_number=b.number,
                        action=rule.action,
                        clause=rule.clause,
                        text=rule.text,
                        distance_m=round(distance, 1),
                    )
                )
    from backend.permits.catalogue import catalogue

    return SimopsMapOut(
        site_id=site_id,
        metres_per_pixel=round(scale, 4),
        permits=[
            MapPermit(
                id=p.id,
                number=p.number,
                work_type=p.work_type,
                grade_label=catalogue().label(p.grade),
                status=p.status,
                area_id=p.area_id,
                point=[float(v) for v in (p.work_point or [0, 0])],
            )
            for p in permits
        ],
        conflicts=pairs,
    )
