"""Keeping the rollups exactly right: fold every change since a watermark into whole days.

What changed is read from the change log (backend/db/changes.py), whose `seq` every write to a
permit, alarm or person appends to in the same transaction, visible in `seq` order on PostgreSQL
too; alarm verdicts, which are not syncable, mark their alarm in `analytics_dirty` from a flush hook.
A changed row's days — those of its previous version and of its new one (started, approved,
received) — are recomputed whole from the records, so an update, a deletion, a late edge upload or
a team move of a permit's applicant can never leave a stale tally. Only days before today are
rolled up (the `frontier`); today is always read live.

The dashboard folds before it reads (a no-op read of two rows when nothing changed), so what it
shows is as exact as a from-scratch computation; `tezuo analytics rebuild` recomputes everything.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, event, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from backend.alarms.models import Alarm
from backend.analytics import gas_series
from backend.analytics.events import (
    Tally,
    alarms_in,
    day_start,
    hour_key,
    inside,
    people_paths,
    permits_in,
    spans_of_days,
    utc_day,
)
from backend.analytics.models import AlarmReview
from backend.analytics.rollup_models import (
    AnalyticsDay,
    AnalyticsDirty,
    AnalyticsFold,
    AnalyticsHour,
    GasDirtyHour,
)
from backend.core.ids import uuid7
from backend.db.changes import ChangeLog
from backend.db.writelock import serialize_writes
from backend.permits.models import Permit

STATE = 1
ENTITIES = {"permit": ("started_at", "approved_at"), "alarm": ("received_at",), "person": ()}
CHUNK = 500


def _table(model: Any) -> Table:
    t = model.__table__
    assert isinstance(t, Table)
    return t


def _mark_reviews(session: Session, flush_context: object, instances: object) -> None:
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, AlarmReview) and (obj in session.new or session.is_modified(obj)):
            session.add(AnalyticsDirty(alarm_id=obj.alarm_id))


def install() -> None:
    """Register the verdict flush hook once per process (idempotent)."""
    if not event.contains(Session, "before_flush", _mark_reviews):
        event.listen(Session, "before_flush", _mark_reviews)


install()


async def pending(db: AsyncSession, now: datetime) -> bool:
    st = (await db.execute(select(AnalyticsFold).where(AnalyticsFold.id == STATE))).scalar_one_or_none()
    if st is None or st.frontier is None or st.frontier < utc_day(now):
        return True
    changed = exists().where(ChangeLog.seq > st.watermark, ChangeLog.entity.in_(list(ENTITIES)))
    return bool(await db.scalar(select(changed))) or bool(await db.scalar(select(exists(AnalyticsDirty.id))))


def _days(data: dict[str, Any], fields: Iterable[str]) -> set[date]:
    return {utc_day(datetime.fromisoformat(data[f])) for f in fields if data.get(f)}


async def _changed_days(db: AsyncSession, watermark: int, top: int) -> set[date]:
    """Days touched by the change-log entries (watermark, top] and by marked verdicts."""
    rows = await db.execute(
        select(ChangeLog.entity, ChangeLog.entity_id, ChangeLog.data).where(
            ChangeLog.seq > watermark, ChangeLog.seq <= top, ChangeLog.entity.in_(list(ENTITIES))
        )
    )
    new: dict[uuid.UUID, tuple[str, dict[str, Any]]] = {}
    days: set[date] = set()
    for entity, eid, data in rows:
        days |= _days(data, ENTITIES[entity])
        new[eid] = (entity, data)
    ids = list(new)
    moved: list[uuid.UUID] = []
    for i in range(0, len(ids), CHUNK):  # each row's version before this fold: its old days
        prior: dict[uuid.UUID, dict[str, Any]] = {}
        q = (
            select(ChangeLog.entity_id, ChangeLog.data)
            .where(ChangeLog.entity_id.in_(ids[i : i + CHUNK]), ChangeLog.seq <= watermark)
            .order_by(ChangeLog.seq)
        )
        for eid, data in await db.execute(q):
            prior[eid] = data
        for eid, data in prior.items():
            entity, now_data = new[eid]
            days |= _days(data, ENTITIES[entity])
            if entity == "person" and data.get("unit_path") != now_data.get("unit_path"):
                moved.append(eid)
    for i in range(0, len(moved), CHUNK):  # a team move re-places the person's permits
        q2 = select(Permit.started_at, Permit.approved_at).where(
            Permit.applicant_id.in_(moved[i : i + CHUNK])
        )
        for start, appr in await db.execute(q2):
            days |= {utc_day(t) for t in (start, appr) if t is not None}
    marks = [(m, a) for m, a in await db.execute(select(AnalyticsDirty.id, AnalyticsDirty.alarm_id))]
    if marks:
        alarm_ids = list({a for _, a in marks})
        for i in range(0, len(alarm_ids), CHUNK):
            q3 = select(Alarm.received_at).where(Alarm.id.in_(alarm_ids[i : i + CHUNK]))
            days |= {utc_day(t) for t in (await db.scalars(q3))}
        await db.execute(delete(AnalyticsDirty).where(AnalyticsDirty.id.in_([m for m, _ in marks])))
    return days


async def _first_day(db: AsyncSession) -> date | None:
    firsts = [
        await db.scalar(select(func.min(Permit.started_at))),
        await db.scalar(select(func.min(Permit.approved_at))),
        await db.scalar(select(func.min(Alarm.received_at))),
    ]
    known = [utc_day(t) for t in firsts if t is not None]
    return min(known) if known else None


async def _ensure_state(db: AsyncSession) -> None:
    ins = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(ins(_table(AnalyticsFold)).values(id=STATE, watermark=0).on_conflict_do_nothing())


async def fold(db: AsyncSession, now: datetime, rebuild: bool = False) -> int:
    """Bring the rollups up to date in `db`'s transaction; the number of days recomputed."""
    if not rebuild and not await pending(db, now):
        return 0
    await serialize_writes(db)
    await _ensure_state(db)
    st = (
        await db.execute(select(AnalyticsFold).where(AnalyticsFold.id == STATE).with_for_update())
    ).scalar_one()
    top = int(await db.scalar(select(func.max(ChangeLog.seq))) or 0)
    frontier = max(st.frontier or utc_day(now), utc_day(now))
    if rebuild or st.frontier is None:
        await db.execute(delete(AnalyticsDay))
        await db.execute(delete(AnalyticsHour))
        await db.execute(delete(AnalyticsDirty))
        first = await _first_day(db)
        days = [first + timedelta(days=i) for i in range((frontier - first).days)] if first else []
    else:
        touched = await _changed_days(db, st.watermark, top)
        touched |= {st.frontier + timedelta(days=i) for i in range((frontier - st.frontier).days)}
        days = sorted(d for d in touched if d < frontier)
        for i in range(0, len(days), CHUNK):
            await db.execute(delete(AnalyticsDay).where(AnalyticsDay.day.in_(days[i : i + CHUNK])))
        for a, b in spans_of_days(days):
            await db.execute(delete(AnalyticsHour).where(AnalyticsHour.hour >= a, AnalyticsHour.hour < b))
    await _recompute(db, days)
    if rebuild or st.frontier is None:
        await gas_series.rebuild(db)
    await db.execute(
        update(AnalyticsFold)
        .where(AnalyticsFold.id == STATE)
        .values(watermark=max(top, st.watermark), frontier=frontier, folded_at=now)
    )
    return len(days)


async def _recompute(db: AsyncSession, days: list[date]) -> None:
    spans = spans_of_days(days)
    if not spans:
        return
    people = await people_paths(db)
    tallies: dict[tuple[date, str, str], Tally] = {}

    def tally(at: datetime, path: str, trade: str) -> Tally:
        key = (utc_day(at), path, trade)
        if key not in tallies:
            tallies[key] = Tally()
        return tallies[key]

    for p in await permits_in(db, spans, people):
        if p.started_at is not None and inside(p.started_at, spans):
            tally(p.started_at, p.path, p.trade).add_start(p)
        if p.approved_at is not None and p.submitted_at is not None and inside(p.approved_at, spans):
            tally(p.approved_at, p.path, p.trade).add_approval(p)
    hours: Counter[tuple[Any, ...]] = Counter()
    for a in await alarms_in(db, spans):
        if not inside(a.received_at, spans):
            continue
        tally(a.received_at, a.path, a.trade).add_alarm(a)
        if a.violation():
            hours[hour_key(a)] += 1
    rows = [{"id": uuid7(), "day": d, "path": p, "trade": t, **x.row()} for (d, p, t), x in tallies.items()]
    hour_rows = [
        {
            "id": uuid7(),
            "hour": h,
            "path": p,
            "trade": t,
            "area_id": ar,
            "cell_x": cx,
            "cell_y": cy,
            "count": n,
        }
        for (h, p, t, ar, cx, cy), n in hours.items()
    ]
    for table, batch in ((_table(AnalyticsDay), rows), (_table(AnalyticsHour), hour_rows)):
        for i in range(0, len(batch), 2000):
            await db.execute(insert(table), batch[i : i + 2000])


async def fold_gas(db: AsyncSession) -> int:
    """Re-thin the detector hours marked since the last read (gas_series.py); under the fold lock."""
    if not await db.scalar(select(exists(GasDirtyHour.id))):
        return 0
    await serialize_writes(db)
    await _ensure_state(db)
    await db.execute(select(AnalyticsFold.id).where(AnalyticsFold.id == STATE).with_for_update())
    return await gas_series.fold_marked(db)


async def frontier(db: AsyncSession) -> datetime | None:
    """Days before this instant are in the rollups (None: not built)."""
    d = await db.scalar(select(AnalyticsFold.frontier).where(AnalyticsFold.id == STATE))
    return day_start(d) if d else None
