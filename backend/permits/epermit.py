"""The e-permit pushed 30 min before work: place (plan + GPS), risks, contacts, escape route, extinguisher."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs import service as timers
from backend.org.models import Area, SafetyFeature, SitePlan
from backend.people.models import Person
from backend.permits import approvals, events
from backend.permits.catalogue import Policy, catalogue
from backend.permits.geo import centroid, plan_distance_m, plan_scale
from backend.permits.models import ApprovalSlot, Permit, PermitEvent
from backend.permits.store import area_of
from backend.push import service as push

# The e-permit is useful until the work starts (30 min); a phone offline longer gets the in-app copy.
PUSH_TTL_SECONDS = 1800


def plan_to_gps(
    point: Sequence[float], plan: Sequence[Sequence[float]], gps: Sequence[Sequence[float]]
) -> list[float]:
    """Map a plan pixel to (lon, lat) with the affine transform fixed by three corners of the area."""
    (x0, y0), (x1, y1), (x2, y2) = plan[0][:2], plan[1][:2], plan[2][:2]
    det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    if abs(det) < 1e-9:
        lon = sum(p[0] for p in gps) / len(gps)
        lat = sum(p[1] for p in gps) / len(gps)
        return [lon, lat]
    u = ((point[0] - x0) * (y2 - y0) - (x2 - x0) * (point[1] - y0)) / det
    v = ((x1 - x0) * (point[1] - y0) - (point[0] - x0) * (y1 - y0)) / det
    return [gps[0][i] + u * (gps[1][i] - gps[0][i]) + v * (gps[2][i] - gps[0][i]) for i in (0, 1)]


async def site_scale(db: AsyncSession, site_id: uuid.UUID) -> float:
    rows = (
        await db.execute(select(Area.plan_polygon, Area.gps_polygon).where(Area.site_id == site_id))
    ).all()
    return plan_scale([(plan, gps) for plan, gps in rows])


async def nearest(
    db: AsyncSession, site_id: uuid.UUID, kind: str, point: Sequence[float], scale: float
) -> dict[str, Any] | None:
    """The nearest safety feature of a kind on the site plan, with its distance in metres."""
    features = await db.scalars(
        select(SafetyFeature).where(
            SafetyFeature.site_id == site_id, SafetyFeature.kind == kind, SafetyFeature.deleted_at.is_(None)
        )
    )
    best = min(features, key=lambda f: math.dist((f.x, f.y), (point[0], point[1])), default=None)
    if best is None:
        return None
    return {
        "label": best.label,
        "x": best.x,
        "y": best.y,
        "distance_m": round(plan_distance_m((best.x, best.y), point, scale), 1),
    }


async def _contacts(db: AsyncSession, permit: Permit) -> list[dict[str, Any]]:
    slots = await db.scalars(select(ApprovalSlot).where(ApprovalSlot.permit_id == permit.id))
    wanted: list[tuple[str, uuid.UUID | None]] = [
        ("guardian", permit.guardian_id),
        ("applicant", permit.applicant_id),
    ]
    wanted += [(s.role, s.decided_by or s.assignee_id) for s in slots]
    out, seen = [], set()
    for role, pid in wanted:
        if pid is None or pid in seen:
            continue
        seen.add(pid)
        person = await db.get(Person, pid)
        if person:
            out.append({"role": role, "name": person.name, "phone": person.phone})
    return out


async def build(db: AsyncSession, permit: Permit, pol: Policy) -> dict[str, Any]:
    """Everything the crew needs on the phone, computed once at push time (works offline afterwards)."""
    area = await area_of(db, permit)
    point = list(permit.work_point or centroid(area.plan_polygon))
    scale = await site_scale(db, permit.site_id)
    plan = await db.scalar(select(SitePlan).where(SitePlan.site_id == permit.site_id))
    route = area.escape_route or []
    grading = permit.grading or {}
    wt = catalogue().get(permit.work_type)
    return {
        "permit_id": str(permit.id),
        "number": permit.number,
        "title": wt.permit_title if wt else "",
        "grade_label": catalogue().label(permit.grade),
        "content": permit.content,
        "valid_from": permit.planned_start.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
        "area": {"id": str(area.id), "code": area.code, "name": area.name, "hazard_class": area.hazard_class},
        "plan": {
            "site_id": str(permit.site_id),
            "url": f"/api/org/sites/{permit.site_id}/plan.png" if plan else None,
            "width": plan.width if plan else 0,
            "height": plan.height if plan else 0,
            "area_polygon": area.plan_polygon,
            "work_point": point,
            "metres_per_pixel": round(scale, 4),
        },
        "gps": plan_to_gps(point, area.plan_polygon, area.gps_polygon) if area.gps_polygon else None,
        "risks": [r["text"] for r in grading.get("reasons", [])]
        + [r["text"] for r in grading.get("blockers", [])],
        "gas_requirements": [f"{g['text']}（{g['clause']}）" for g in grading.get("gas_requirements", [])],
        "measures": [m["text"] for m in permit.measures],
        "contacts": await _contacts(db, permit),
        "emergency_phone": pol.push.emergency_phone,
        "public_numbers": pol.push.public_numbers,
        "escape_route": route,
        "assembly_point": await nearest(db, permit.site_id, "assembly_point", route[-1], scale)
        if route
        else None,
        "nearest_extinguisher": await nearest(db, permit.site_id, "extinguisher", point, scale),
    }


async def recipients(db: AsyncSession, permit: Permit) -> list[uuid.UUID]:
    """The guardian, the operators and the inspectors of the area (seed: 监护人、作业人、区域巡检员)."""
    people = [p for p in (permit.guardian_id,) if p] + [uuid.UUID(str(o)) for o in permit.operator_ids]
    inspectors = await approvals.holders(db, "inspector", permit.scope_path)
    return list(dict.fromkeys([*people, *inspectors]))


async def deliver(db: AsyncSession, permit: Permit, now: datetime, pol: Policy) -> int:
    """Push the e-permit: an in-app notification with the whole card, and a web push to every
    subscribed device of the same people that opens the card when tapped (same transaction)."""
    if permit.status not in ("approved", "active", "suspended"):
        return 0
    pushed = await db.scalar(
        select(PermitEvent.id).where(PermitEvent.permit_id == permit.id, PermitEvent.kind == "pushed")
    )
    if pushed is not None:  # the push went out at approval; the timer finds it done
        return 0
    content = await build(db, permit, pol)
    people = await recipients(db, permit)
    title = f"电子作业票 {permit.number}"
    body = f"{content['title']}（{content['grade_label']}）{permit.content} — {content['area']['name']}"
    for pid in people:
        await approvals.notify(db, pid, "epermit", title, body, permit, f"epermit:{permit.id}:{pid}", content)
    devices = await push.enqueue(
        db,
        person_ids=people,
        payload=web_push_payload(permit, content),
        urgency="high",
        ttl=PUSH_TTL_SECONDS,
        dedupe_key=f"permit-prestart:{permit.id}",
        now=now,
        kind="permit",
        ref_id=str(permit.id),
    )
    text = f"电子作业票已推送给 {len(people)} 人（{devices} 台设备收到网页推送）"
    await events.record(db, permit, "pushed", text, now, devices=devices)
    return len(people)


def web_push_payload(permit: Permit, content: dict[str, Any]) -> dict[str, Any]:
    """What the service worker shows (pwa/src/sw/notify.ts) on the lock screen: what and where in
    the title, the way out and the nearest extinguisher in the body; 查看 (or a tap) opens the
    e-permit card, which the phone then keeps for offline use."""
    wt = catalogue().get(permit.work_type)
    what = wt.name if wt else content["title"]
    title = f"{what}（{content['grade_label']}）· {content['area']['name']}"
    parts = [f"{permit.number} {permit.content}"]
    if content["assembly_point"]:
        parts.append(f"撤离：沿疏散路线至{content['assembly_point']['label']}")
    elif content["escape_route"]:
        parts.append("撤离：沿疏散路线（见作业票地图）")
    if extinguisher := content["nearest_extinguisher"]:
        parts.append(f"最近灭火器：{extinguisher['label']}，约 {extinguisher['distance_m']:.0f} m")
    return {
        "v": 1,
        "type": "permit",
        "title": title[:120],
        "body": "；".join(parts)[:300],
        "tag": f"permit:{permit.id}",
        "url": f"/#/permits/{permit.id}",
        "actions": [{"action": "view", "title": "查看"}],
    }


async def schedule_push(db: AsyncSession, permit: Permit, now: datetime, pol: Policy) -> None:
    """30 min before the planned start (or at once if that moment has passed)."""
    due = permit.planned_start - timedelta(minutes=pol.push.minutes_before_start)
    await timers.schedule(
        db, "permits.push", due, {"permit_id": str(permit.id)}, f"permits.push:{permit.id}", now=now
    )
    if due <= now:
        await deliver(db, permit, now, pol)


async def tell_crew(db: AsyncSession, permit: Permit, title: str, body: str, key: str) -> None:
    people = [p for p in (permit.guardian_id,) if p] + [uuid.UUID(str(o)) for o in permit.operator_ids]
    for pid in dict.fromkeys(people):
        await approvals.notify(db, pid, "permit_state", title, body, permit, f"{key}:{pid}")
