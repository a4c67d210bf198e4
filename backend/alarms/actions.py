"""Answering an alarm: acknowledge (the guarded `alarm.ack` rule), resolve, assign."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms import recipients
from backend.alarms.access import RESPONDERS, SUPERVISORS, holds_near, overlaps
from backend.alarms.models import ACKNOWLEDGED, OPEN_STATES, RESOLVED, Alarm, AlarmRecipient
from backend.alarms.recipients import Pick
from backend.alarms.service import add_recipients, escalation_key, live, locked
from backend.auth.principal import Principal
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.jobs import service as timers
from backend.org.models import OrgUnit
from backend.people.models import Person, RoleAssignment


async def is_recipient(db: AsyncSession, alarm_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    found = await db.scalar(
        select(AlarmRecipient.id).where(
            AlarmRecipient.alarm_id == alarm_id, AlarmRecipient.person_id == person_id
        )
    )
    return found is not None


async def may_respond(db: AsyncSession, who: Principal, alarm: Alarm) -> bool:
    """Routed to them, assigned to them, or a responding role over the place it happened."""
    return (
        alarm.assigned_to == who.person_id
        or holds_near(who, RESPONDERS, alarm.scope_path)
        or await is_recipient(db, alarm.id, who.person_id)
    )


async def _open_for(db: AsyncSession, who: Principal, alarm_id: uuid.UUID) -> Alarm:
    alarm = await locked(db, alarm_id)
    if alarm is None or alarm.deleted_at is not None:
        raise NotFound("报警不存在", code="alarm_unknown")
    if not await may_respond(db, who, alarm):
        raise Forbidden("该报警不在您的处置范围内", code="alarm_not_yours")
    return alarm


async def _stop_escalation(db: AsyncSession, alarm: Alarm, now: datetime) -> None:
    for level in range(alarm.level + 1, len(alarm.plan.get("escalation", [])) + 1):
        await timers.cancel(db, escalation_key(alarm.id, level), now=now)


async def acknowledge(db: AsyncSession, who: Principal, alarm_id: uuid.UUID, now: datetime) -> Alarm:
    """The guarded `alarm.ack` rule (SYNC.md): re-checked against the alarm as it is now.

    Precondition: the alarm exists, is not resolved, and the caller may respond to it (a
    recipient, the assignee, or a responding role in scope). The first acknowledgement stops
    the clock — response time is measured from our receipt of the alarm to our receipt of the
    acknowledgement, never from a phone's clock. A later acknowledgement changes nothing.
    """
    alarm = await _open_for(db, who, alarm_id)
    if alarm.state == RESOLVED:
        raise Conflict(
            "报警已解除", code="alarm_resolved", extra={"state": alarm.state, "version": alarm.version}
        )
    if alarm.state in OPEN_STATES:
        alarm.state, alarm.acknowledged_at, alarm.acknowledged_by = ACKNOWLEDGED, now, who.person_id
        alarm.response_seconds = round((now - alarm.received_at).total_seconds(), 3)
        await _stop_escalation(db, alarm, now)
        live(db, alarm)
    return alarm


async def resolve(
    db: AsyncSession, who: Principal, alarm_id: uuid.UUID, resolution: str, now: datetime
) -> Alarm:
    """Close the alarm (handled, or a false alarm); closing an unanswered one also answers it."""
    alarm = await _open_for(db, who, alarm_id)
    if alarm.state == RESOLVED:
        return alarm
    if alarm.state in OPEN_STATES:
        await acknowledge(db, who, alarm_id, now)
    alarm.state, alarm.resolved_at, alarm.resolved_by, alarm.resolution = (
        RESOLVED,
        now,
        who.person_id,
        resolution,
    )
    live(db, alarm)
    return alarm


async def assign(
    db: AsyncSession, who: Principal, alarm_id: uuid.UUID, person_id: uuid.UUID, now: datetime
) -> Alarm:
    """Hand the alarm to someone on the site (the board's one-click assign); they get the push too."""
    alarm = await locked(db, alarm_id)
    if alarm is None or alarm.deleted_at is not None:
        raise NotFound("报警不存在", code="alarm_unknown")
    if not holds_near(who, SUPERVISORS, alarm.scope_path):
        raise Forbidden("只有班组长、安全员及以上可以指派", code="role_required")
    if alarm.state == RESOLVED:
        raise Conflict(
            "报警已解除", code="alarm_resolved", extra={"state": alarm.state, "version": alarm.version}
        )
    person = await db.get(Person, person_id)
    site = await db.get(OrgUnit, alarm.site_id)
    assert site is not None
    if person is None or person.deleted_at is not None or person.employment != "active":
        raise Invalid("指派对象不存在或已停用", code="person_unknown")
    roles = list(
        await db.scalars(
            select(RoleAssignment.scope_path).where(
                RoleAssignment.person_id == person.id, RoleAssignment.deleted_at.is_(None)
            )
        )
    )
    if not (person.unit_path.startswith(site.path) or any(overlaps(site.path, p) for p in roles)):
        raise Invalid("只能指派给本厂区的人员", code="assignee_out_of_site")
    alarm.assigned_to, alarm.assigned_at = person.id, now
    if not await is_recipient(db, alarm.id, person.id):
        reach = await recipients.contacts(db, {person.id}, now)
        devices = reach[person.id].devices if person.id in reach else []
        pick = Pick(person.id, "assignee", person.locale, devices)
        await add_recipients(db, alarm, {person.id: pick}, alarm.level, now)
    live(db, alarm)
    return alarm
