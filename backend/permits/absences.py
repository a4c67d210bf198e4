"""Approvers marked away (出差, leave): mark, list, end early; each audited on the person's record.

While a person is away, steps that open for them go to their B角 (approvals.open_slot) and so do
alarms (backend/alarms/recipients.py). Ending an absence early does not take back a step already
handed over: the B角 was told it is theirs and may be on the way to sign it, and the approver,
back, can still sign it themself (the assignee stays a signer of the slot). Steps that open after
the end stay with the approver. An absence marked ahead arms the timer `permits.absence_start` at
its start, which hands over the steps then waiting (cancelling the absence cancels the timer).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.core.errors import Conflict, Invalid, NotFound
from backend.jobs import service as timers
from backend.people.models import Person
from backend.permits.approvals import deputy_of, hand_over
from backend.permits.models import Absence, ApprovalSlot, Permit
from backend.permits.schemas import AbsenceOut

START = "permits.absence_start"  # timer kind: an absence marked ahead begins


async def register_absence(
    db: AsyncSession,
    person: Person,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    now: datetime,
    actor_id: uuid.UUID | None = None,
) -> Absence:
    """Mark an approver away; steps waiting for them go to their B角 at once if the absence has begun."""
    if ends_at <= starts_at:
        raise Invalid("结束时间须晚于开始时间", code="times_invalid")
    if ends_at <= now:
        raise Invalid("结束时间已过", code="times_invalid")
    if len(reason) > 200:
        raise Invalid("外出事由不超过200字", code="reason_too_long")
    absence = Absence(
        person_id=person.id, starts_at=starts_at, ends_at=ends_at, reason=reason, scope_path=person.unit_path
    )
    db.add(absence)
    await db.flush()
    await _audit(db, "absence.add", absence, now, actor_id)
    if starts_at > now:  # steps waiting for them then go to the B角 when the absence begins
        payload = {"absence_id": str(absence.id)}
        await timers.schedule(db, START, starts_at, payload, _start_key(absence.id), now=now)
    else:
        await hand_over_waiting(db, person, absence, now)
    return absence


async def hand_over_waiting(db: AsyncSession, person: Person, absence: Absence, now: datetime) -> int:
    """Steps waiting for the person (not yet handed over) go to their B角; returns how many did."""
    waiting = await db.scalars(
        select(ApprovalSlot).where(
            ApprovalSlot.assignee_id == person.id,
            ApprovalSlot.status == "pending",
            ApprovalSlot.handed_to_id.is_(None),
        )
    )
    handed = 0
    for slot in waiting:
        permit = await db.get(Permit, slot.permit_id)
        if permit is None or permit.status not in ("submitted", "approving"):
            continue
        deputy = await deputy_of(db, person.id, slot.role, permit.scope_path, now)
        if deputy is not None:
            await hand_over(db, permit, slot, deputy, f"审批人外出（{absence.reason or '已标记外出'}）", now)
            handed += 1
    return handed


async def begins(db: AsyncSession, absence_id: uuid.UUID, now: datetime) -> int:
    """Timer `permits.absence_start`: an absence marked ahead has begun (unless ended or cancelled)."""
    absence = await db.get(Absence, absence_id)
    if absence is None or absence.deleted_at is not None or not absence.starts_at <= now < absence.ends_at:
        return 0
    person = await db.get(Person, absence.person_id)
    return 0 if person is None else await hand_over_waiting(db, person, absence, now)


def _start_key(absence_id: uuid.UUID) -> str:
    return f"{START}:{absence_id}"


async def absences_of(db: AsyncSession, person: Person, now: datetime) -> list[AbsenceOut]:
    """The person's current and future absences, soonest first."""
    rows = await db.scalars(
        select(Absence)
        .where(Absence.person_id == person.id, Absence.deleted_at.is_(None), Absence.ends_at > now)
        .order_by(Absence.starts_at)
    )
    return [to_out(row, person, now) for row in rows]


async def live_absence(db: AsyncSession, absence_id: uuid.UUID) -> Absence:
    row = await db.get(Absence, absence_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("外出记录不存在或已取消", code="absence_unknown")
    return row


async def end_absence(
    db: AsyncSession, row: Absence, now: datetime, actor_id: uuid.UUID | None = None
) -> Absence:
    """Back early: a current absence ends now, one that has not begun is cancelled (soft delete)."""
    if row.ends_at <= now:
        raise Conflict("该外出已经结束", code="absence_over")
    if row.starts_at > now:
        row.deleted_at = now
        action = "absence.cancel"
        await timers.cancel(db, _start_key(row.id), now=now)
    else:
        row.ends_at = now
        action = "absence.end"
    await db.flush()
    await _audit(db, action, row, now, actor_id)
    return row


def to_out(row: Absence, person: Person, now: datetime) -> AbsenceOut:
    if row.deleted_at is not None:
        state = "cancelled"
    elif row.ends_at <= now:
        state = "ended"
    else:
        state = "upcoming" if row.starts_at > now else "current"
    return AbsenceOut(
        id=row.id,
        person_id=person.id,
        person_name=person.name,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        reason=row.reason,
        state=state,
    )


async def _audit(
    db: AsyncSession, action: str, row: Absence, now: datetime, actor_id: uuid.UUID | None
) -> None:
    details = {
        "absence": str(row.id),
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "reason": row.reason,
    }
    await audit.record(
        db, now, action=action, entity="person", entity_id=row.person_id, actor_id=actor_id, details=details
    )
