"""People's verdicts on alarms (confirmed / false positive): the input of the false-positive rate."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms.access import RESPONDERS
from backend.alarms.models import Alarm
from backend.analytics.models import AlarmReview
from backend.analytics.schemas import AlarmReviewIn, AlarmReviewOut
from backend.audit import service as audit
from backend.auth.principal import Principal
from backend.core.errors import Forbidden, NotFound


def review_out(r: AlarmReview) -> AlarmReviewOut:
    return AlarmReviewOut(
        alarm_id=r.alarm_id,
        verdict=r.verdict,
        reviewer_id=r.reviewer_id,
        reviewed_at=r.reviewed_at,
        note=r.note,
    )


async def review(
    db: AsyncSession, who: Principal, alarm_id: uuid.UUID, data: AlarmReviewIn, now: datetime
) -> AlarmReviewOut:
    """Record or change the verdict on an alarm; the latest verdict counts (each change is audited)."""
    alarm = await db.get(Alarm, alarm_id)
    if alarm is None or alarm.deleted_at is not None:
        raise NotFound("报警不存在", code="alarm_unknown")
    site_path = alarm.scope_path
    if not any(
        g.role in RESPONDERS and (site_path.startswith(g.scope_path) or g.scope_path.startswith(site_path))
        for g in who.grants
    ):
        raise Forbidden("无权评判该报警", code="review_forbidden")
    row = await db.scalar(select(AlarmReview).where(AlarmReview.alarm_id == alarm_id))
    if row is None:
        row = AlarmReview(alarm_id=alarm_id, verdict=data.verdict, reviewer_id=who.person_id, reviewed_at=now)
        db.add(row)
    row.verdict, row.reviewer_id, row.reviewed_at, row.note = data.verdict, who.person_id, now, data.note
    await db.flush()
    await audit.record(
        db,
        now,
        action="analytics.alarm_reviewed",
        entity="alarm",
        entity_id=alarm_id,
        actor_id=who.person_id,
        details={"verdict": data.verdict},
    )
    return review_out(row)
