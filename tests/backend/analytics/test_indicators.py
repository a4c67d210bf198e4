"""Every indicator computed from a generated month (tests/backend/analytics/month.py), checked
against values worked out by hand in the comments."""

from __future__ import annotations

from typing import Any

import pytest

from backend.analytics import service
from backend.analytics.service import Query
from backend.auth.service import principal_of
from backend.core.errors import Forbidden, Invalid
from backend.db.engine import transaction
from tests.backend.analytics.month import NOW, SINCE, UNTIL, Month, make_month

# key → (value, numerator, denominator, status), for the whole enterprise in November 2026.
EXPECTED: dict[str, tuple[float | None, float | None, float | None, str]] = {
    # Sep 2 … Nov 30: 20 exams, #4 failed (the Aug 20 failure is outside the 90 days) → 19/20.
    "practical_pass_rate": (95.0, 19, 20, "ok"),
    # 7 assignments of employed workers (w7 left): w1, w5 ×2 covered → 3/7.
    "certificate_compliance_rate": (42.86, 3, 7, "breach"),
    # on time: w1 reviewed, w5 renewed; late: w2 frozen (expired), w5 electrician frozen before its review.
    "review_timeliness_rate": (50.0, 2, 4, "breach"),
    # w3 lapsed > 90 days, w4 never certified, w6 revoked; w2 lapsed 20 days is not (yet) a shadow.
    "shadow_operators": (3.0, 3, None, "breach"),
    # 30 started: A-3 ran 1 h past valid_until, B-5 never closed and is past it → 2/30.
    "permit_overtime_rate": (6.67, 2, 30, "breach"),
    # 30…220 min for team A (20), 60 min ×10 for team B: 15th/16th of 30 sorted = 70, 80 → 75.
    "approval_median_minutes": (75.0, None, 30, "ok"),
    # B-0 started 30 min after submission, 30 min before its approval.
    "unapproved_starts": (1.0, 1, 30, "breach"),
    # |1| |1.5| |0.5| |1| |3| |2.5| |0| = 9.5 / 7.
    "calibration_deviation": (1.36, None, 7, "ok"),
    # at Dec 1 00:00: D1 (Nov 24, 1 %) and D3 (Nov 27) current; D2 last on Nov 12 → 2/3.
    "detectors_calibrated_rate": (66.67, 2, 3, "breach"),
    # reviewed AI alarms: 8 no-helmet (1 误报) + 2 no-permit (1 误报) → 2/10.
    "ai_false_positive_rate": (20.0, 2, 10, "breach"),
    # two no-permit alarms, one of them dismissed as 误报.
    "unpermitted_work_alarms": (1.0, 1, None, "breach"),
    # answered: 30…120 (750) + 50 + 50 + 40 + 100 = 990 over 14; the gas alarm is unanswered (15 rows).
    "alarm_response_seconds": (70.7, 14, 15, "ok"),
    # SOS: 40 s and 100 s → 70 > 60.
    "sos_response_seconds": (70.0, 2, 2, "breach"),
}


@pytest.fixture
async def month(sessionmaker: Any, settings: Any, clock: Any) -> Month:
    clock.now = NOW
    async with transaction(sessionmaker) as db:
        return await make_month(db, settings.secret_key)


async def _dashboard(sessionmaker: Any, month: Month, who: str = "boss", **q: Any) -> Any:
    async with transaction(sessionmaker) as db:
        principal = await principal_of(db, month.people[who])
        query = Query(unit_id=q.pop("unit_id", month.org.enterprise.id), since=SINCE, until=UNTIL, **q)
        return await service.dashboard(db, principal, query, NOW)


async def _detail(sessionmaker: Any, month: Month, key: str, by: Any, unit: Any, **q: Any) -> Any:
    async with transaction(sessionmaker) as db:
        principal = await principal_of(db, month.people["boss"])
        query = Query(unit_id=unit.id, since=SINCE, until=UNTIL, **q)
        return await service.detail(db, principal, query, key, by, NOW)


async def test_every_indicator_matches_the_hand_checked_month(sessionmaker: Any, month: Month) -> None:
    out = await _dashboard(sessionmaker, month)
    got = {i.key: (i.value, i.numerator, i.denominator, i.status) for i in out.indicators}
    assert got == EXPECTED
    assert len(out.indicators) >= 12
    assert out.bucket_days == 1 and {c.code for c in out.children} == {"SA", "SB"}
    assert out.trades == ["confined_space", "electrician", "hot_work"]


async def test_trend_buckets_hold_each_days_value(sessionmaker: Any, month: Month) -> None:
    out = await _dashboard(sessionmaker, month)
    by_key = {i.key: i for i in out.indicators}
    sos = [p.value for p in by_key["sos_response_seconds"].trend]
    assert len(sos) == 30 and sos[19] == 40.0 and sos[20] == 100.0 and sos.count(None) == 28
    starts = [p.value for p in by_key["unapproved_starts"].trend]
    assert starts[0] == 1.0 and starts[1] == 0.0 and starts[29] is None  # no permit started on Nov 30
    # The compliance trend is read at each day's end: w2's certificate lapses after Nov 10.
    comp = by_key["certificate_compliance_rate"].trend
    assert comp[9].value == round(100 * 5 / 7, 2)  # Nov 10: w1, w2, w5 ×2, w6 of 7 (w7 left on Nov 5)
    assert comp[10].value == round(100 * 4 / 7, 2)  # Nov 11: w2 lapsed
    assert comp[14].value == round(100 * 3 / 7, 2)  # Nov 15: w6 revoked


async def test_drill_down_site_workshop_team_trade_person(sessionmaker: Any, month: Month) -> None:
    org = month.org
    sites = await _detail(sessionmaker, month, "permit_overtime_rate", "unit", org.enterprise)
    assert {g.label: (g.value, g.numerator, g.denominator) for g in sites.groups} == {
        "一厂区": (5.0, 1, 20),
        "二厂区": (10.0, 1, 10),
    }
    assert sites.records_total == 30 and [r.label for r in sites.records[:2]] == ["B-5", "A-3"]
    workshop = await _detail(sessionmaker, month, "approval_median_minutes", "unit", org.workshop_a)
    assert [(g.label, g.value, g.status) for g in workshop.groups] == [("聚合一班", 125.0, "breach")]
    trades = await _detail(sessionmaker, month, "certificate_compliance_rate", "trade", org.enterprise)
    assert {g.key: g.value for g in trades.groups} == {
        "hot_work": 25.0,
        "confined_space": 50.0,
        "electrician": 100.0,
    }
    people = await _detail(sessionmaker, month, "practical_pass_rate", "person", org.team_a)
    assert [(g.label, g.value) for g in people.groups] == [("w1", round(100 * 11 / 12, 2))]
    # Site-wide AI alarms are filed at the site itself: the site's own line in the breakdown.
    alarms = await _detail(sessionmaker, month, "ai_false_positive_rate", "unit", org.site_a)
    assert {g.label: g.value for g in alarms.groups} == {"聚合车间": 50.0, "一厂区（本级）": 12.5}


async def test_filters_narrow_every_indicator(sessionmaker: Any, month: Month) -> None:
    out = await _dashboard(sessionmaker, month, trade="confined_space")
    got = {i.key: i.value for i in out.indicators}
    assert got["permit_overtime_rate"] == 10.0 and got["unapproved_starts"] == 1.0
    assert got["practical_pass_rate"] == 100.0 and got["alarm_response_seconds"] is None
    w1 = await _dashboard(sessionmaker, month, person_id=month.people["w1"].id)
    mine = {i.key: i for i in w1.indicators}
    assert mine["sos_response_seconds"].value == 70.0 and mine["permit_overtime_rate"].value == 5.0
    assert mine["calibration_deviation"].status == "no_data"


async def test_scope_and_period_are_checked(sessionmaker: Any, month: Month) -> None:
    with pytest.raises(Forbidden):
        await _dashboard(sessionmaker, month, who="leader_a", unit_id=month.org.team_b.id)
    team = await _dashboard(sessionmaker, month, who="leader_a", unit_id=month.org.team_a.id)
    assert {i.key: i.value for i in team.indicators}["permit_overtime_rate"] == 5.0
    async with transaction(sessionmaker) as db:
        boss = await principal_of(db, month.people["boss"])
        with pytest.raises(Invalid):
            await service.dashboard(db, boss, Query(month.org.enterprise.id, UNTIL, SINCE), NOW)
