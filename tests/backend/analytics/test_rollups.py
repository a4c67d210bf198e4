"""The rollups equal a from-scratch computation: after the month is loaded, after late data,
updates, deletions, verdict changes and a team move, and as days pass. Two checks each time:
every event indicator (period value and trend) read through the rollups equals `indicators.py`
over every record, for aligned and cut periods; and the rollup tables equal a full rebuild."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from backend.alarms.models import Alarm
from backend.analytics import fold, heatmap, rolled, service
from backend.analytics.events import BEHAVIOUR
from backend.analytics.indicators import COMPUTE, specs
from backend.analytics.models import AlarmReview
from backend.analytics.rollup_models import AnalyticsDay, AnalyticsHour
from backend.analytics.service import Query
from backend.auth.service import principal_of
from backend.db.engine import transaction
from backend.people.models import Person
from backend.permits.models import Permit
from tests.backend.analytics.month import NOW, SINCE, UNTIL, Month, _permit, at, make_month

PERIODS = [
    (SINCE, UNTIL),  # aligned: every day from the rollups
    (SINCE + timedelta(hours=5, minutes=37), UNTIL - timedelta(hours=3)),  # cut days read live
    (datetime(2026, 9, 3, tzinfo=UTC), NOW),  # 7-day buckets, today live
]


@pytest.fixture
async def month(sessionmaker: Any, settings: Any, clock: Any) -> Month:
    clock.now = NOW
    async with transaction(sessionmaker) as db:
        return await make_month(db, settings.secret_key)


async def _check(sm: Any, month: Month, now: datetime) -> None:
    """Rolled == raw for every period, unit and trade filter, then tables == a rebuild."""
    org = month.org
    async with transaction(sm) as db:
        boss = await principal_of(db, month.people["boss"])
        cases = [(org.enterprise, None, period) for period in PERIODS]
        cases += [(org.site_a, "hot_work", PERIODS[1]), (org.team_a, None, PERIODS[0])]
        for unit, trade, (since, until) in cases:
            q = Query(unit_id=unit.id, since=since, until=until, trade=trade)
            got = {i.key: i for i in (await service.dashboard(db, boss, q, now)).indicators}
            scope = await service.open_scope(db, boss, q, now)  # every record, no rollups
            for key in rolled.ROLLED:
                spec = specs()[key]
                want = COMPUTE[key](scope.facts, since, until, spec)
                where = (unit.code, trade, since, key)
                assert (got[key].value, got[key].numerator, got[key].denominator) == (
                    want.value,
                    want.numerator,
                    want.denominator,
                ), where
                trend = [p.value for p in service.trend(scope.facts, spec, since, until)]
                assert [p.value for p in got[key].trend] == trend, where
            await _check_heatmap(db, scope)
        incremental = await _tables(db)
    async with transaction(sm) as db:
        await fold.fold(db, now, rebuild=True)
        assert await _tables(db) == incremental


async def _check_heatmap(db: Any, scope: Any) -> None:
    offset, night = timedelta(hours=8), (20, 6)
    got = await heatmap.heatmap(db, scope, "night", offset, night)
    hours: Counter[int] = Counter()
    for a in scope.facts.between("alarms", "received_at", scope.since, scope.until):
        hour = (a.received_at + offset).hour
        if a.kind in BEHAVIOUR and a.verdict != "false_positive" and heatmap.in_shift(hour, "night", night):
            hours[hour] += 1
    assert got["total"] == sum(hours.values())
    assert got["by_hour"] == [hours[h] for h in range(24)]


async def _tables(db: Any) -> tuple[list[Any], list[Any]]:
    days = [
        (
            r.day,
            r.path,
            r.trade,
            r.permits_started,
            r.permits_unapproved,
            r.permits_finished,
            r.permits_over,
            sorted(r.approval_minutes),
            r.alarms,
            r.alarms_answered,
            round(r.response_sum, 6),
            r.sos,
            r.sos_answered,
            round(r.sos_response_sum, 6),
            r.ai_reviewed,
            r.ai_false,
            dict(r.alarm_kinds),
        )
        for r in await db.scalars(select(AnalyticsDay))
    ]
    hours = [
        (r.hour, r.path, r.trade, r.area_id, r.cell_x, r.cell_y, r.count)
        for r in await db.scalars(select(AnalyticsHour))
    ]
    return sorted(days, key=str), sorted(hours, key=str)


async def test_rollups_equal_a_computation_from_scratch(sessionmaker: Any, month: Month) -> None:
    await _check(sessionmaker, month, NOW)
    async with transaction(sessionmaker) as db:
        assert await db.scalar(select(AnalyticsDay.id).limit(1)) is not None  # the rollups are read
        assert not await fold.pending(db, NOW)


async def test_late_data_updates_and_deletions_are_folded(sessionmaker: Any, month: Month) -> None:
    org, p = month.org, month.people
    await _check(sessionmaker, month, NOW)  # builds the rollups
    async with transaction(sessionmaker) as db:
        # Late data: an edge upload of a week-old alarm, a permit filed after the fact.
        db.add(
            Alarm(
                source="edge",
                kind="no_harness",
                tier=2,
                site_id=org.site_a.id,
                area_id=month.areas["A"].id,
                scope_path=org.workshop_a.path,
                raised_at=at(23, 21),
                received_at=at(23, 21),
                response_seconds=77.7,
                x=130,
                y=10,
                detail={"work_type": "hot_work"},
            )
        )
        late = _permit(
            "A-late",
            month.areas["A"],
            org.workshop_a,
            p["leader_a"],
            [p["w3"]],
            submitted_at=at(12, 7),
            approved_at=at(12, 9),
            started_at=at(12, 10),
            completed_at=at(12, 18),
        )
        db.add(late)
        # Updates: B-5 is closed late; A-7's approval is re-dated to the next day.
        b5 = await db.scalar(select(Permit).where(Permit.number == "B-5"))
        a7 = await db.scalar(select(Permit).where(Permit.number == "A-7"))
        assert b5 is not None and a7 is not None and a7.approved_at is not None
        b5.completed_at = at(29, 23)
        a7.approved_at = a7.approved_at + timedelta(days=1)
        # A deletion and a changed verdict.
        sos = await db.scalar(select(Alarm).where(Alarm.kind == "sos").order_by(Alarm.received_at))
        assert sos is not None
        sos.deleted_at = NOW
        review = await db.scalar(select(AlarmReview).where(AlarmReview.verdict == "false_positive").limit(1))
        assert review is not None
        review.verdict = "confirmed"
    await _check(sessionmaker, month, NOW)
    async with transaction(sessionmaker) as db:
        # A team move: leader A joins team B, and team A's permits follow him there.
        leader = await db.get(Person, p["leader_a"].id)
        assert leader is not None
        leader.unit_path = org.team_b.path
    await _check(sessionmaker, month, NOW)


async def test_days_roll_over_and_today_is_live(sessionmaker: Any, month: Month) -> None:
    await _check(sessionmaker, month, NOW)
    async with transaction(sessionmaker) as db:
        db.add(
            Alarm(
                source="sos",
                kind="sos",
                tier=1,
                site_id=month.org.site_a.id,
                scope_path=month.org.team_a.path,
                raised_at=NOW - timedelta(hours=1),
                received_at=NOW - timedelta(hours=1),
                response_seconds=12.0,
                detail={},
            )
        )
    later = NOW + timedelta(days=2)
    await _check(sessionmaker, month, NOW)  # today (Dec 1) read live
    await _check(sessionmaker, month, later)  # Dec 1 folded as the frontier moves on
    async with transaction(sessionmaker) as db:
        days = {r.day for r in await db.scalars(select(AnalyticsDay))}
        assert later.date() - timedelta(days=2) in days and later.date() not in days
