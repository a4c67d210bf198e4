"""Dashboard and drill-down: load the facts under a unit, narrow by trade/person, compute every
indicator with its trend, and break one indicator down by child unit, trade or person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics import facts as facts_mod
from backend.analytics import rolled
from backend.analytics.facts import Dims, Facts
from backend.analytics.indicators import COMPUTE, Result, Spec, specs
from backend.analytics.schemas import (
    DashboardOut,
    GroupOut,
    IndicatorDetailOut,
    IndicatorOut,
    RecordOut,
    Status,
    TrendPoint,
    UnitRef,
)
from backend.auth.principal import Principal
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.org.models import OrgUnit
from backend.people.models import Person

# Roles that read the analytics of the units they hold a role in.
ANALYSTS = frozenset({"team_leader", "safety_officer", "workshop_director", "vice_president", "hr", "admin"})
MAX_DAYS = 400
MAX_RECORDS = 500
By = Literal["unit", "trade", "person"]


@dataclass(frozen=True)
class Query:
    unit_id: uuid.UUID
    since: datetime | None = None
    until: datetime | None = None
    trade: str | None = None
    person_id: uuid.UUID | None = None


@dataclass
class Scope:
    unit: OrgUnit
    since: datetime
    until: datetime
    facts: Facts
    trade: str | None
    person_id: uuid.UUID | None


def unit_ref(u: OrgUnit) -> UnitRef:
    return UnitRef(id=u.id, kind=u.kind, code=u.code, name=u.name, path=u.path)


def bucket_days(since: datetime, until: datetime) -> int:
    days = (until - since).total_seconds() / 86400
    return 1 if days <= 31 else 7 if days <= 190 else 30


def status_of(spec: Spec, value: float | None) -> Status:
    return "no_data" if value is None else "ok" if spec.passes(value) else "breach"


async def open_scope(
    db: AsyncSession, who: Principal, q: Query, now: datetime, events: bool = True, records: bool = True
) -> Scope:
    """The unit (checked against the caller's roles) and period, with the records loaded: all of
    them, all but permits and alarms (`events=False`), or none (`records=False`, the heatmap)."""
    unit = await db.get(OrgUnit, q.unit_id)
    if unit is None or unit.deleted_at is not None:
        raise NotFound("组织单元不存在", code="unit_unknown")
    if not who.has_role(ANALYSTS, unit.path):
        raise Forbidden("无权查看该单元的分析指标", code="analytics_forbidden")
    until = q.until or now
    since = q.since or until - timedelta(days=30)
    if since.tzinfo is None or until.tzinfo is None:
        raise Invalid("时间须带时区 (ISO 8601, e.g. 2026-11-01T00:00:00Z)", code="period_naive")
    if until <= since:
        raise Invalid("结束时间须晚于开始时间", code="period_invalid")
    if until - since > timedelta(days=MAX_DAYS):
        raise Invalid(f"统计周期最长 {MAX_DAYS} 天", code="period_too_long")
    if not records:
        return Scope(unit, since, until, Facts(now=now), q.trade, q.person_id)
    loaded = await facts_mod.load(db, unit.path, since, until, now, events)
    if q.trade or q.person_id:
        loaded = loaded.narrowed(
            lambda d: (
                (q.trade is None or d.trade == q.trade)
                and (q.person_id is None or str(q.person_id) in d.people)
            )
        )
    return Scope(unit, since, until, loaded, q.trade, q.person_id)


def indicator_out(spec: Spec, result: Result, trend: list[TrendPoint]) -> IndicatorOut:
    return IndicatorOut(
        key=spec.key,
        family=spec.family,
        label=spec.label,
        unit=spec.unit,
        op=spec.op,
        target=spec.target,
        value=result.value,
        status=status_of(spec, result.value),
        numerator=result.numerator,
        denominator=result.denominator,
        trend=trend,
    )


def bounds_of(since: datetime, until: datetime) -> list[datetime]:
    """The trend buckets' bounds: since, since + step, …, until."""
    step = timedelta(days=bucket_days(since, until))
    out = [since]
    while out[-1] < until:
        out.append(min(out[-1] + step, until))
    return out


def trend(facts: Facts, spec: Spec, since: datetime, until: datetime) -> list[TrendPoint]:
    f = replace(facts, want_records=False)  # shares the rows and the memoised indexes
    b = bounds_of(since, until)
    return [TrendPoint(start=s, end=e, value=COMPUTE[spec.key](f, s, e, spec).value) for s, e in pairwise(b)]


def rolled_out(r: rolled.Rolled, spec: Spec) -> IndicatorOut:
    """An event indicator from the rollups: the period's value and one per trend bucket."""
    since, until = r.buckets[0][0], r.buckets[-1][1]
    points = [TrendPoint(start=s, end=e, value=r.result(spec, s, e, t).value) for s, e, t in r.buckets]
    return indicator_out(spec, r.result(spec, since, until), points)


def evaluate(scope: Scope, key: str, with_trend: bool = True) -> tuple[IndicatorOut, Result]:
    spec = specs()[key]
    result = COMPUTE[key](scope.facts, scope.since, scope.until, spec)
    points = trend(scope.facts, spec, scope.since, scope.until) if with_trend else []
    return indicator_out(spec, result, points), result


async def children(db: AsyncSession, unit: OrgUnit) -> list[OrgUnit]:
    rows = await db.scalars(
        select(OrgUnit)
        .where(OrgUnit.parent_id == unit.id, OrgUnit.deleted_at.is_(None))
        .order_by(OrgUnit.code)
    )
    return list(rows)


def trades_of(f: Facts) -> list[str]:
    seen = {r.dims.trade for name in facts_mod.ROW_LISTS for r in getattr(f, name)}
    return sorted(t for t in seen if t)


async def dashboard(db: AsyncSession, who: Principal, q: Query, now: datetime) -> DashboardOut:
    """Every indicator with its trend. Permits and alarms are read from the rollups (rolled.py)
    unless the dashboard is narrowed to one person, whom the rollups do not break down by."""
    use_rollups = q.person_id is None
    scope = await open_scope(db, who, q, now, events=not use_rollups)
    trades = set(trades_of(scope.facts))
    indicators = []
    if use_rollups:
        r = await rolled.load(db, scope.unit.path, scope.trade, bounds_of(scope.since, scope.until), now)
        trades |= r.trades
    for key, spec in specs().items():
        indicators.append(
            rolled_out(r, spec) if use_rollups and key in rolled.ROLLED else evaluate(scope, key)[0]
        )
    return DashboardOut(
        unit=unit_ref(scope.unit),
        since=scope.since,
        until=scope.until,
        bucket_days=bucket_days(scope.since, scope.until),
        trade=scope.trade,
        person_id=scope.person_id,
        indicators=indicators,
        children=[unit_ref(u) for u in await children(db, scope.unit)],
        trades=sorted(trades),
    )


async def _groups(db: AsyncSession, scope: Scope, by: By) -> list[tuple[str, str, Facts, dict[str, Any]]]:
    """(key, label, facts, ids) per group of the breakdown."""
    f = scope.facts
    if by == "trade":
        split = f.split(lambda d: [d.trade or "—"])
        return [(k, k, split[k], {}) for k in sorted(split)]
    if by == "person":
        split = f.split(lambda d: d.people)
        ids = [uuid.UUID(k) for k in split]
        names = {
            str(pid): name
            for pid, name in await db.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
        }
        return [(k, names.get(k, k), v, {"person_id": uuid.UUID(k)}) for k, v in split.items()]
    kids = await children(db, scope.unit)

    def place(d: Dims) -> list[str]:
        return [next((k.path for k in kids if d.path.startswith(k.path)), scope.unit.path)]

    split = f.split(place)
    out = [(k.path, k.name, split[k.path], {"unit_id": k.id}) for k in kids if k.path in split]
    if scope.unit.path in split:  # records filed at this level itself (e.g. site-wide alarms)
        out.append(
            (
                scope.unit.path,
                f"{scope.unit.name}（本级）",
                split[scope.unit.path],
                {"unit_id": scope.unit.id},
            )
        )
    return out


async def detail(
    db: AsyncSession, who: Principal, q: Query, key: str, by: By, now: datetime
) -> IndicatorDetailOut:
    if key not in specs():
        raise NotFound("指标不存在", code="indicator_unknown")
    scope = await open_scope(db, who, q, now)
    spec = specs()[key]
    out, result = evaluate(scope, key)
    groups = []
    for gkey, label, gfacts, ids in await _groups(db, scope, by):
        r = COMPUTE[key](gfacts, scope.since, scope.until, spec)
        if r.value is None and not r.records:
            continue
        groups.append(
            GroupOut(
                key=gkey,
                label=label,
                value=r.value,
                status=status_of(spec, r.value),
                numerator=r.numerator,
                denominator=r.denominator,
                **ids,
            )
        )
    groups.sort(key=lambda g: (g.status != "breach", g.label))
    records = sorted(result.records, key=lambda r: (not r.flagged, -(r.at.timestamp() if r.at else 0)))
    return IndicatorDetailOut(
        indicator=out,
        by=by,
        groups=groups,
        records=[
            RecordOut(r.kind, str(r.id), r.at, r.label, r.value, r.flagged) for r in records[:MAX_RECORDS]
        ],
        records_total=len(records),
    )
