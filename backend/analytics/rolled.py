"""The event indicators (permits, alarms) and the heatmap from the rollups, for any period.

Whole UTC days before the fold's frontier that lie inside one trend bucket are read from
`analytics_days` / `analytics_hours`; everything else in the period — today, and the pieces of
days a period or bucket boundary cuts — is tallied live from the records with the same code
(events.py). A period starting at a UTC midnight (what the PWA asks for) reads only today live.
Values equal `indicators.py` computed over every record; tests/backend/analytics/test_rollups.py
checks that after inserts, updates and late data.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics import fold
from backend.analytics.events import (
    CELL,
    AlarmEv,
    PermitEv,
    Span,
    Tally,
    alarms_in,
    day_start,
    hour_key,
    open_permits,
    people_paths,
    permits_in,
    utc_day,
)
from backend.analytics.indicators import Result, Spec
from backend.analytics.rollup_models import AnalyticsDay, AnalyticsHour

ROLLED = frozenset(
    {
        "permit_overtime_rate",
        "approval_median_minutes",
        "unapproved_starts",
        "ai_false_positive_rate",
        "unpermitted_work_alarms",
        "alarm_response_seconds",
        "sos_response_seconds",
    }
)
DAY = timedelta(days=1)
DAY_COLUMNS = (
    "day",
    "trade",
    "permits_started",
    "permits_unapproved",
    "permits_finished",
    "permits_over",
    "approval_minutes",
    "alarms",
    "alarms_answered",
    "response_sum",
    "sos",
    "sos_answered",
    "sos_response_sum",
    "ai_reviewed",
    "ai_false",
    "alarm_kinds",
)


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


@dataclass
class Rolled:
    """Tallies per trend bucket of a period, plus the open permits judged against a window's end."""

    now: datetime
    buckets: list[tuple[datetime, datetime, Tally]]
    opens: list[PermitEv] = field(default_factory=list)
    trades: set[str] = field(default_factory=set)

    def window(self, since: datetime, until: datetime) -> Tally:
        total = Tally()
        for s, e, t in self.buckets:
            if since <= s and e <= until:
                total.merge(t)
        return total

    def result(self, spec: Spec, since: datetime, until: datetime, t: Tally | None = None) -> Result:
        t = t if t is not None else self.window(since, until)
        key = spec.key
        if key == "permit_overtime_rate":
            end = min(until, self.now)
            late = t.over + sum(
                1
                for p in self.opens
                if p.started_at and since <= p.started_at < until and end > p.valid_until
            )
            return Result(_pct(late, t.started), late, t.started)
        if key == "approval_median_minutes":
            med = round(statistics.median(t.minutes), 1) if t.minutes else None
            return Result(med, None, len(t.minutes))
        if key == "unapproved_starts":
            return Result(float(t.unapproved), t.unapproved, t.started) if t.started else Result(None, 0, 0)
        if key == "ai_false_positive_rate":
            return Result(_pct(t.ai_false, t.ai_reviewed), t.ai_false, t.ai_reviewed)
        if key == "unpermitted_work_alarms":
            n = sum(t.kinds[k] for k in set(spec.params.get("kinds", ())))
            return Result(float(n), n, None)
        if key == "alarm_response_seconds":
            mean = round(math.fsum(t.response) / t.answered, 1) if t.answered else None
            return Result(mean, t.answered, t.alarms)
        if key == "sos_response_seconds":
            mean = round(math.fsum(t.sos_response) / t.sos_answered, 1) if t.sos_answered else None
            return Result(mean, t.sos_answered, t.sos)
        raise KeyError(key)


def split(
    since: datetime, until: datetime, bounds: list[datetime], front: datetime | None
) -> tuple[list[date], list[Span]]:
    """UTC days read from the rollups (whole, before `front`, not cut by a bucket bound) and the
    spans of the period read live."""
    cuts = set(bounds)
    rolled: list[date] = []
    live: list[Span] = []
    d = utc_day(since)
    while day_start(d) < until:
        a, b = day_start(d), day_start(d) + DAY
        whole = since <= a and b <= until and front is not None and b <= front
        if whole and not any(a < c < b for c in cuts):
            rolled.append(d)
        else:
            lo, hi = max(a, since), min(b, until)
            if live and live[-1][1] == lo:
                live[-1] = (live[-1][0], hi)
            else:
                live.append((lo, hi))
        d += DAY
    return rolled, live


SUMMED = (
    "permits_started",
    "permits_unapproved",
    "permits_finished",
    "permits_over",
    "alarms",
    "alarms_answered",
    "sos",
    "sos_answered",
    "ai_reviewed",
    "ai_false",
)


def _tally(acc: list[Any]) -> Tally:
    n = dict(zip(SUMMED, acc, strict=False))
    return Tally(
        started=n["permits_started"],
        unapproved=n["permits_unapproved"],
        finished=n["permits_finished"],
        over=n["permits_over"],
        minutes=acc[-4],
        alarms=n["alarms"],
        answered=n["alarms_answered"],
        response=acc[-3],
        sos=n["sos"],
        sos_answered=n["sos_answered"],
        sos_response=acc[-2],
        ai_reviewed=n["ai_reviewed"],
        ai_false=n["ai_false"],
        kinds=acc[-1],
    )


def _under(column: Any, path: str) -> Any:
    return column.startswith(path, autoescape=True)


async def load(
    db: AsyncSession, path: str, trade: str | None, bounds: list[datetime], now: datetime
) -> Rolled:
    """Tallies of the buckets [bounds[i], bounds[i+1]) under org `path` (and `trade`)."""
    await fold.fold(db, now)
    since, until = bounds[0], bounds[-1]
    days, live = split(since, until, bounds, await fold.frontier(db))
    per_day: dict[date, Tally] = {}
    trades: set[str] = set()
    if days:
        cols = AnalyticsDay.__table__.c  # plain rows: no ORM identity map for thousands of tallies
        q = select(*[cols[name] for name in DAY_COLUMNS]).where(
            cols.day >= days[0], cols.day <= days[-1], _under(cols.path, path)
        )
        if trade is not None:
            q = q.where(cols.trade == trade)
        wanted = set(days)
        sums: dict[date, list[Any]] = {}
        for r in await db.execute(q):  # summed in place: thousands of rows, no object per row
            if r.day not in wanted:
                continue
            trades.add(r.trade)
            acc = sums.get(r.day)
            if acc is None:
                acc = sums[r.day] = [0] * len(SUMMED) + [[], [], [], Counter()]
            for i, name in enumerate(SUMMED):
                acc[i] += r._mapping[name]
            acc[-4].extend(r.approval_minutes)
            acc[-3].append(r.response_sum)
            acc[-2].append(r.sos_response_sum)
            acc[-1].update(r.alarm_kinds)
        per_day = {d: _tally(acc) for d, acc in sums.items()}
    people = await people_paths(db)
    permits = await permits_in(db, live, people, path, trade)
    alarms = await alarms_in(db, live, path, trade)
    opens = await open_permits(db, since, until, people, path, trade)
    buckets = []
    for s, e in itertools.pairwise(bounds):
        t = Tally()
        for d in days:
            if s <= day_start(d) < e and d in per_day:
                t.merge(per_day[d])
        _add_live(t, s, e, live, permits, alarms)
        buckets.append((s, e, t))
    trades |= {p.trade for p in permits} | {a.trade for a in alarms} | {p.trade for p in opens}
    return Rolled(now, buckets, opens, {t for t in trades if t})


def _in(at: datetime | None, s: datetime, e: datetime, live: list[Span]) -> bool:
    return at is not None and s <= at < e and any(a <= at < b for a, b in live)


def _add_live(
    t: Tally, s: datetime, e: datetime, live: list[Span], permits: list[PermitEv], alarms: list[AlarmEv]
) -> None:
    for p in permits:
        if _in(p.started_at, s, e, live):
            t.add_start(p)
        if p.submitted_at is not None and _in(p.approved_at, s, e, live):
            t.add_approval(p)
    for a in alarms:
        if _in(a.received_at, s, e, live):
            t.add_alarm(a)


async def violations(
    db: AsyncSession,
    path: str,
    trade: str | None,
    since: datetime,
    until: datetime,
    now: datetime,
    whole_hours: bool = True,
) -> list[tuple[datetime, str, Any, Any, Any, int]]:
    """Behaviour violations in [since, until): (UTC hour, trade, area, cell x, cell y, count).
    Whole hours before the frontier come from `analytics_hours`, unless the site's UTC offset is
    not whole hours (`whole_hours` False: then a UTC hour is not one local hour, all is read live)."""
    await fold.fold(db, now)
    front = await fold.frontier(db)
    first = since.replace(minute=0, second=0, microsecond=0)
    first = first if first == since else first + timedelta(hours=1)
    last = until.replace(minute=0, second=0, microsecond=0)
    if front is not None:
        last = min(last, front)
    out: Counter[tuple[datetime, str, Any, Any, Any]] = Counter()
    live: list[Span] = [(since, until)]
    if front is not None and first < last and whole_hours:
        live = [(since, first), (last, until)]
        q = select(
            AnalyticsHour.hour,
            AnalyticsHour.trade,
            AnalyticsHour.area_id,
            AnalyticsHour.cell_x,
            AnalyticsHour.cell_y,
            AnalyticsHour.count,
        ).where(AnalyticsHour.hour >= first, AnalyticsHour.hour < last, _under(AnalyticsHour.path, path))
        if trade is not None:
            q = q.where(AnalyticsHour.trade == trade)
        for h, t, area, cx, cy, n in await db.execute(q):
            out[(h, t, area, cx, cy)] += n
    for a in await alarms_in(db, [s for s in live if s[0] < s[1]], path, trade):
        if a.violation() and any(lo <= a.received_at < hi for lo, hi in live):
            h, _, t, area, cx, cy = hour_key(a)
            out[(h, t, area, cx, cy)] += 1
    return [(*k, n) for k, n in out.items()]


__all__ = ["CELL", "ROLLED", "Rolled", "load", "split", "violations"]
