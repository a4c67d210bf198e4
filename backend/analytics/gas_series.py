"""A detector's readings thinned for display: per UTC hour (periods up to 31 days) or per UTC day
(longer) — count, min, max and mean LEL — from `gas_reading_hours`, so a year of 1 M readings is
8 760 rows. Each flush that adds readings marks their hours in `gas_dirty_hours` (same
transaction); a read first re-thins the marked hours from the readings, so late uploads are never
missed. The pieces of hours a period's ends cut are read live. `tezuo analytics rebuild` re-thins all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from backend.analytics.rollup_models import GasDirtyHour, GasHour
from backend.core.ids import uuid7
from backend.gas.models import GasReading

HOUR = timedelta(hours=1)
MAX_HOURLY_DAYS = 31


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _mark_readings(session: Session, flush_context: object, instances: object) -> None:
    hours = {
        (obj.detector_id, floor_hour(obj.measured_at))
        for obj in session.new
        if isinstance(obj, GasReading) and obj.detector_id is not None
    }
    session.add_all(GasDirtyHour(detector_id=d, hour=h) for d, h in hours)


def install() -> None:
    if not event.contains(Session, "before_flush", _mark_readings):
        event.listen(Session, "before_flush", _mark_readings)


install()


@dataclass
class Bucket:
    count: int = 0
    lo: float | None = None
    hi: float | None = None
    total: float = 0.0

    def add(self, n: int, lo: float | None, hi: float | None, total: float) -> None:
        if not n:
            return
        self.count += n
        self.lo = lo if self.lo is None or (lo is not None and lo < self.lo) else self.lo
        self.hi = hi if self.hi is None or (hi is not None and hi > self.hi) else self.hi
        self.total += total


def _table(model: Any) -> Table:
    t = model.__table__
    assert isinstance(t, Table)
    return t


async def _aggregate(db: AsyncSession, detector_id: uuid.UUID, a: datetime, b: datetime) -> Bucket:
    lel = GasReading.lel_percent
    row = (
        await db.execute(
            select(func.count(lel), func.min(lel), func.max(lel), func.coalesce(func.sum(lel), 0.0)).where(
                GasReading.detector_id == detector_id, GasReading.measured_at >= a, GasReading.measured_at < b
            )
        )
    ).one()
    out = Bucket()
    out.add(int(row[0]), row[1], row[2], float(row[3] or 0.0))
    return out


async def fold_marked(db: AsyncSession) -> int:
    """Re-thin every marked hour from the readings (caller holds the fold lock); hours re-thinned."""
    marks = [
        (m, d, h)
        for m, d, h in await db.execute(select(GasDirtyHour.id, GasDirtyHour.detector_id, GasDirtyHour.hour))
    ]
    keys = {(d, h) for _, d, h in marks}
    for d, h in keys:
        await db.execute(delete(GasHour).where(GasHour.detector_id == d, GasHour.hour == h))
        b = await _aggregate(db, d, h, h + HOUR)
        if b.count:
            await db.execute(
                insert(_table(GasHour)).values(
                    id=uuid7(),
                    detector_id=d,
                    hour=h,
                    count=b.count,
                    lel_min=b.lo,
                    lel_max=b.hi,
                    lel_sum=b.total,
                )
            )
    ids = [m for m, _, _ in marks]
    for i in range(0, len(ids), 500):
        await db.execute(delete(GasDirtyHour).where(GasDirtyHour.id.in_(ids[i : i + 500])))
    return len(keys)


async def rebuild(db: AsyncSession) -> None:
    """Thin every reading again (streamed: a detector can hold millions)."""
    await db.execute(delete(GasHour))
    await db.execute(delete(GasDirtyHour))
    acc: dict[tuple[uuid.UUID, datetime], Bucket] = {}
    q = select(GasReading.detector_id, GasReading.measured_at, GasReading.lel_percent).where(
        GasReading.lel_percent.is_not(None)
    )
    stream = await db.stream(q.execution_options(yield_per=50_000))
    async for part in stream.partitions():
        for d, at, v in part:
            key = (d, floor_hour(at))
            b = acc.get(key)
            if b is None:
                b = acc[key] = Bucket()
            if v is not None:
                b.add(1, v, v, v)
    rows = [
        {
            "id": uuid7(),
            "detector_id": d,
            "hour": h,
            "count": b.count,
            "lel_min": b.lo,
            "lel_max": b.hi,
            "lel_sum": b.total,
        }
        for (d, h), b in acc.items()
    ]
    for i in range(0, len(rows), 2000):
        await db.execute(insert(_table(GasHour)), rows[i : i + 2000])


async def series(
    db: AsyncSession, detector_id: uuid.UUID, since: datetime, until: datetime
) -> tuple[str, list[tuple[datetime, Bucket]]]:
    """("hour" | "day", buckets) over [since, until); the caller has folded the marked hours."""
    step = HOUR if until - since <= timedelta(days=MAX_HOURLY_DAYS) else timedelta(days=1)
    out: dict[datetime, Bucket] = {}

    def bucket(h: datetime) -> Bucket:
        start = h if step == HOUR else h.replace(hour=0)
        if start not in out:
            out[start] = Bucket()
        return out[start]

    whole_from = since if floor_hour(since) == since else floor_hour(since) + HOUR
    whole_to = floor_hour(until)
    if whole_from < whole_to:
        q = select(GasHour.hour, GasHour.count, GasHour.lel_min, GasHour.lel_max, GasHour.lel_sum).where(
            GasHour.detector_id == detector_id, GasHour.hour >= whole_from, GasHour.hour < whole_to
        )
        for h, n, lo, hi, total in await db.execute(q.order_by(GasHour.hour)):
            bucket(h).add(n, lo, hi, total)
        edges = [(since, whole_from), (whole_to, until)]
    else:
        edges = [(since, until)]
    for a, b in edges:
        if a < b:
            part = await _aggregate(db, detector_id, a, b)
            bucket(floor_hour(a)).add(part.count, part.lo, part.hi, part.total)
    points = sorted(((k, v) for k, v in out.items() if v.count), key=lambda kv: kv[0])
    return ("hour" if step == HOUR else "day"), points
