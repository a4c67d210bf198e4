"""Reading alarms: views with names, a person's alarms, the control-room board, the 90-second KPI."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms.access import WATCHERS, ancestors, holds_near, require_watch
from backend.alarms.actions import may_respond
from backend.alarms.models import RESOLVED, Alarm, AlarmRecipient
from backend.alarms.routing import Routing
from backend.alarms.schemas import AlarmOut, BoardOut, KpiOut, RecipientOut, TierKpi
from backend.auth.principal import Principal
from backend.core.errors import Forbidden, NotFound
from backend.devices.service import site_status
from backend.org import service as org
from backend.org.models import Area, OrgUnit
from backend.people.models import Person, RoleAssignment

RECENT = timedelta(hours=1)  # resolved alarms stay on the board this long


async def views(db: AsyncSession, alarms: Sequence[Alarm], with_recipients: bool = False) -> list[AlarmOut]:
    """AlarmOut for each alarm, names looked up in three queries whatever the count."""
    if not alarms:
        return []
    ids = [a.id for a in alarms]
    recipients: list[AlarmRecipient] = []
    if with_recipients:
        query = select(AlarmRecipient).where(AlarmRecipient.alarm_id.in_(ids)).order_by(AlarmRecipient.level)
        recipients = list(await db.scalars(query))
    people: set[uuid.UUID | None] = (
        {a.subject_person_id for a in alarms}
        | {a.acknowledged_by for a in alarms}
        | {a.assigned_to for a in alarms}
    )
    people |= {r.person_id for r in recipients} | {r.stands_in_for for r in recipients}
    names: dict[uuid.UUID | None, str] = dict(
        (await db.execute(select(Person.id, Person.name).where(Person.id.in_(people - {None})))).all()
    )
    units = dict(
        (
            await db.execute(
                select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_({a.site_id for a in alarms}))
            )
        ).all()
    )
    areas: dict[uuid.UUID | None, str] = dict(
        (
            await db.execute(
                select(Area.id, Area.name).where(Area.id.in_({a.area_id for a in alarms} - {None}))
            )
        ).all()
    )
    by_alarm: dict[uuid.UUID, list[RecipientOut]] = {}
    for r in recipients:
        by_alarm.setdefault(r.alarm_id, []).append(
            RecipientOut(
                person_id=r.person_id,
                name=names.get(r.person_id, ""),
                role=r.role,
                level=r.level,
                devices=r.devices,
                stands_in_for=r.stands_in_for,
                stands_in_for_name=names.get(r.stands_in_for) if r.stands_in_for else None,
            )
        )
    return [
        AlarmOut(
            id=a.id,
            kind=a.kind,
            tier=a.tier,
            labels=a.labels,
            state=a.state,
            level=a.level,
            source=a.source,
            site_id=a.site_id,
            site_name=units.get(a.site_id, ""),
            area_id=a.area_id,
            area_name=areas.get(a.area_id),
            x=a.x,
            y=a.y,
            lat=a.lat,
            lon=a.lon,
            subject_person_id=a.subject_person_id,
            subject_name=names.get(a.subject_person_id),
            message=a.message,
            has_image=a.image_path is not None,
            raised_at=a.raised_at,
            received_at=a.received_at,
            notified_at=a.notified_at,
            escalated_at=a.escalated_at,
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=a.acknowledged_by,
            acknowledged_by_name=names.get(a.acknowledged_by),
            response_seconds=a.response_seconds,
            assigned_to=a.assigned_to,
            assigned_name=names.get(a.assigned_to),
            resolved_at=a.resolved_at,
            resolution=a.resolution,
            version=a.version,
            recipients=by_alarm.get(a.id, []),
        )
        for a in alarms
    ]


async def readable(db: AsyncSession, who: Principal, alarm: Alarm) -> None:
    """Who raised it or is its subject, anyone who may respond to it, or who watches its site, may read it."""
    if who.person_id in (alarm.raised_by, alarm.subject_person_id):
        return
    site = await db.get(OrgUnit, alarm.site_id)
    if not (await may_respond(db, who, alarm) or (site and holds_near(who, WATCHERS, site.path))):
        raise Forbidden("无权查看该报警", code="alarm_forbidden")


async def detail(db: AsyncSession, who: Principal, alarm_id: uuid.UUID) -> AlarmOut:
    alarm = await db.get(Alarm, alarm_id)
    if alarm is None or alarm.deleted_at is not None:
        raise NotFound("报警不存在", code="alarm_unknown")
    await readable(db, who, alarm)
    return (await views(db, [alarm], with_recipients=True))[0]


async def mine(db: AsyncSession, who: Principal, now: datetime, limit: int = 50) -> list[AlarmOut]:
    """Alarms routed or assigned to the caller, or about them (their SOS), open ones first, newest first."""
    routed = select(AlarmRecipient.alarm_id).where(AlarmRecipient.person_id == who.person_id)
    mine_ = or_(
        Alarm.id.in_(routed),
        Alarm.assigned_to == who.person_id,
        Alarm.raised_by == who.person_id,
        Alarm.subject_person_id == who.person_id,
    )
    alarms = (
        await db.scalars(
            select(Alarm)
            .where(mine_, Alarm.deleted_at.is_(None))
            .where(or_(Alarm.state != RESOLVED, Alarm.resolved_at >= now - timedelta(days=1)))
            .order_by((Alarm.state == RESOLVED).asc(), Alarm.received_at.desc())
            .limit(limit)
        )
    ).all()
    return await views(db, alarms)


async def site_alarms(db: AsyncSession, site_id: uuid.UUID, now: datetime) -> list[Alarm]:
    """Open alarms of a site and those resolved within the last hour."""
    return list(
        (
            await db.scalars(
                select(Alarm)
                .where(Alarm.site_id == site_id, Alarm.deleted_at.is_(None))
                .where(or_(Alarm.state != RESOLVED, Alarm.resolved_at >= now - RECENT))
                .order_by(Alarm.received_at.desc())
                .limit(200)
            )
        ).all()
    )


def _pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 3)


async def kpi(
    db: AsyncSession, routing: Routing, since: datetime, until: datetime, site_id: uuid.UUID | None = None
) -> KpiOut:
    """Per tier: how many were raised, answered, answered within the target; response percentiles."""
    query = select(Alarm).where(
        Alarm.received_at >= since, Alarm.received_at < until, Alarm.deleted_at.is_(None)
    )
    if site_id is not None:
        query = query.where(Alarm.site_id == site_id)
    alarms = (await db.scalars(query)).all()
    tiers = []
    for name in sorted(routing.tiers, key=int):
        tier, target = int(name), routing.tiers[name].ack_timeout_seconds
        rows = [a for a in alarms if a.tier == tier]
        answered = [a.response_seconds for a in rows if a.response_seconds is not None]
        notify = [(a.notified_at - a.received_at).total_seconds() for a in rows if a.notified_at]
        tiers.append(
            TierKpi(
                tier=tier,
                raised=len(rows),
                acknowledged=len(answered),
                within_target=sum(1 for s in answered if s <= target),
                target_seconds=target,
                p50_seconds=_pct(answered, 0.5),
                p95_seconds=_pct(answered, 0.95),
                max_seconds=max(answered) if answered else None,
                notify_p50_seconds=_pct(notify, 0.5),
                notify_p95_seconds=_pct(notify, 0.95),
            )
        )
    return KpiOut(since=since, until=until, site_id=site_id, tiers=tiers)


async def assignable(db: AsyncSession, site: OrgUnit) -> list[dict[str, object]]:
    """People with an on-site responding role in the site, for the board's assign menu."""
    rows = (
        await db.execute(
            select(Person.id, Person.name, RoleAssignment.role)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .where(
                RoleAssignment.deleted_at.is_(None),
                Person.employment == "active",
                RoleAssignment.role.in_(("guardian", "inspector", "team_leader", "safety_officer")),
                or_(
                    RoleAssignment.scope_path.in_(ancestors(site.path)),
                    RoleAssignment.scope_path.startswith(site.path, autoescape=True),
                ),
            )
            .order_by(Person.name)
        )
    ).all()
    people: dict[uuid.UUID, dict[str, object]] = {}
    for pid, name, role in rows:
        entry = people.setdefault(pid, {"id": str(pid), "name": name, "roles": []})
        roles = entry["roles"]
        assert isinstance(roles, list)
        if role not in roles:
            roles.append(role)
    return list(people.values())


async def board(
    db: AsyncSession, who: Principal, site_id: uuid.UUID, now: datetime, routing: Routing
) -> BoardOut:
    """Everything the control room shows for one site, in one answer (the SSE stream updates it)."""
    site = await db.get(OrgUnit, site_id)
    if site is None or site.kind != "site":
        raise NotFound("厂区不存在", code="unit_unknown")
    require_watch(who, site.path)
    return BoardOut(
        site=await org.site_map(db, who, site_id),
        alarms=await views(db, await site_alarms(db, site_id, now), with_recipients=True),
        devices=await site_status(db, site_id, now),
        kpi=await kpi(db, routing, now - timedelta(days=1), now + timedelta(seconds=1), site_id),
        people=await assignable(db, site),
    )
