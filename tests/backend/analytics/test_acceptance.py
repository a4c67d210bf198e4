"""The 72-hour acceptance test of a new detector from generated data: a healthy device passes,
one with a 3-hour gap fails with the reason, with hand-checked completeness figures; the API
answers with the JSON and the PDF."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from backend.analytics import acceptance
from backend.db.engine import transaction
from backend.gas.models import GasReading
from backend.gas.service import register_detector
from backend.org.models import Area
from tests.backend.analytics.month import SQUARE
from tests.factories import make_org, make_person

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # commissioning
DONE = T0 + timedelta(hours=73)
CALIBRATED = [(T0 - timedelta(hours=1), 1.2)]  # the bump test at commissioning: +1.2 %


def healthy() -> list[tuple[datetime, float]]:
    """One reading a minute for 72 h: clean air, 0.3 %LEL with a little noise."""
    return [(T0 + timedelta(minutes=i), round(0.3 + 0.05 * math.sin(i / 7), 3)) for i in range(72 * 60)]


def test_a_healthy_device_passes() -> None:
    a = acceptance.assess(healthy(), T0, DONE, CALIBRATED, 0)
    assert a.verdict == "pass" and a.reasons == []
    # 72 h at one a minute: 4320 expected, all received; the longest silence is one interval
    assert (a.expected_samples, a.received_samples, a.completeness_percent) == (4320, 4320, 100.0)
    assert a.longest_gap_s == 60 and a.dropouts == 0 and a.out_of_range == 0
    assert a.noise is not None and a.noise < 0.1
    assert a.zero_drift is not None and abs(a.zero_drift) < 0.1
    assert a.calibration_deviation_percent == 1.2 and a.interval_s == 60


def test_the_interval_is_the_devices_own_unless_given() -> None:
    day = T0 + timedelta(hours=24)  # the first day of a node polling every second
    every_second = [(T0 + timedelta(seconds=i), 0.3) for i in range(24 * 3600)]
    a = acceptance.assess(every_second, T0, day, CALIBRATED, 0)
    assert (a.interval_s, a.expected_samples, a.received_samples) == (1, 86_400, 86_400)
    assert a.verdict == "in_progress" and a.completeness_percent == 100.0
    # Told to expect one a second, a device that reports once a minute is 1/60 complete.
    sparse = acceptance.assess(healthy(), T0, DONE, CALIBRATED, 0, interval_s=1)
    assert sparse.expected_samples == 259_200 and sparse.completeness_percent == 1.67


def test_a_three_hour_gap_fails_with_the_reason() -> None:
    # Silent from 10:00 to 13:00 after commissioning: the readings of minutes 601…779 never came.
    gap = [(at, v) for at, v in healthy() if not T0 + timedelta(hours=10) < at < T0 + timedelta(hours=13)]
    a = acceptance.assess(gap, T0, DONE, CALIBRATED, 0)
    assert a.verdict == "fail"
    assert (a.expected_samples, a.received_samples) == (4320, 4320 - 179)
    assert a.completeness_percent == 95.86  # 4141 / 4320 = 95.856 %
    assert a.longest_gap_s == 3 * 3600 and a.longest_gap_at == T0 + timedelta(hours=10)
    assert a.dropouts == 1 and a.interval_s == 60  # the median step: the gap does not move it
    failed = {c.key for c in a.checks if not c.passed}
    assert failed == {"completeness", "longest_gap"}
    reasons = " ".join(r["en"] for r in a.reasons)
    assert "Longest gap 180 min (required ≤ 30 min), from 11-24 12:00 UTC" in reasons
    assert "Data completeness 95.86 % (required ≥ 98 %): expected 4320, received 4141" in reasons
    assert any("最长数据中断 180" in r["zh-CN"] for r in a.reasons)


def test_a_gap_fails_before_the_72_hours_are_over_other_failures_wait() -> None:
    first_day = [(at, v) for at, v in healthy() if at < T0 + timedelta(hours=24)]
    a = acceptance.assess(first_day, T0, T0 + timedelta(hours=24), CALIBRATED, 0)
    assert a.verdict == "in_progress" and a.expected_samples == 1440 and a.received_samples == 1440
    # Nothing for the last hour: the node's queue may still deliver it, so it is not final yet…
    quiet = acceptance.assess(first_day, T0, T0 + timedelta(hours=25), CALIBRATED, 0)
    assert quiet.verdict == "in_progress" and quiet.longest_gap_s == 60
    # …but a silence between two samples is: it fails before the 72 hours are over.
    holed = [(at, v) for at, v in first_day if not T0 + timedelta(hours=2) < at < T0 + timedelta(hours=3)]
    assert acceptance.assess(holed, T0, T0 + timedelta(hours=24), CALIBRATED, 0).verdict == "fail"
    # No calibration record yet: not final (a bump test may still be entered), but it shows.
    uncal = acceptance.assess(first_day, T0, T0 + timedelta(hours=24), [], 0)
    assert uncal.verdict == "in_progress" and "no calibration record" in uncal.reasons[0]["en"]


def test_drift_implausible_values_alarms_and_calibration_fail() -> None:
    ramp = [(at, round(0.3 + i / 4320 * 2.0, 3)) for i, (at, _) in enumerate(healthy())]
    drift = acceptance.assess(ramp, T0, DONE, CALIBRATED, 0)
    assert drift.verdict == "fail" and [c.key for c in drift.checks if not c.passed] == ["zero_drift"]
    assert drift.zero_drift == pytest.approx(1.83, abs=0.01)  # median of the last 6 h − the first 6 h
    spikes = healthy()
    spikes[100] = (spikes[100][0], 180.0)  # 180 %LEL: impossible
    bad = acceptance.assess(spikes, T0, DONE, CALIBRATED, 2)
    assert {c.key for c in bad.checks if not c.passed} == {"out_of_range", "alarms"}
    off = acceptance.assess(healthy(), T0, DONE, [*CALIBRATED, (T0 + timedelta(hours=70), 4.5)], 0)
    assert {c.key for c in off.checks if not c.passed} == {"calibration", "calibration_drift"}
    assert off.calibration_drift_percent == 3.3


async def test_api_answers_with_json_and_pdf(
    client_as: Any, sessionmaker: Any, settings: Any, clock: Any
) -> None:
    clock.now = DONE
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        boss_p = await make_person(
            db, settings.secret_key, org.site_a, "安全员", [("safety_officer", org.site_a)]
        )
        worker_p = await make_person(db, settings.secret_key, org.team_a, "作业人员")
        ws = org.workshop_a
        area = Area(
            site_id=org.site_a.id,
            workshop_id=ws.id,
            code="AC-1",
            name="新装区",
            hazard_class="fire_class_a",
            plan_polygon=SQUARE,
            scope_path=ws.path,
        )
        db.add(area)
        await db.flush()
        d = await register_detector(
            db, area, "GD-NEW", "新装可燃气", "methane", "fixed", None, area.scope_path
        )
        gap = [(at, v) for at, v in healthy() if not T0 + timedelta(hours=10) < at < T0 + timedelta(hours=13)]
        await db.execute(
            insert(GasReading),
            [
                {"detector_id": d.id, "area_id": d.area_id, "measured_at": at, "received_at": at,
                 "gas": "methane", "lel_percent": v, "within_limits": True}
                for at, v in gap
            ],
        )  # fmt: skip
    boss = await client_as(boss_p)
    cal = {
        "detector_id": str(d.id),
        "calibrated_at": (T0 - timedelta(hours=1)).isoformat(),
        "reference_gas": "CH4 50%LEL",
        "reference_value": 50,
        "reading": 50.6,
        "unit": "lel",
        "technician": "王仪表",
    }
    assert (await boss.post("/api/analytics/calibrations", json=cal)).status_code == 201
    r = await boss.get(f"/api/analytics/detectors/{d.id}/acceptance")  # commissioning = first reading
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["verdict"] == "fail" and out["commissioned_at"].startswith("2026-11-24T02:00:00")
    assert (out["expected_samples"], out["received_samples"], out["completeness_percent"]) == (
        4320,
        4141,
        95.86,
    )
    assert out["calibration_deviation_percent"] == 1.2
    assert {c["key"] for c in out["checks"] if not c["passed"]} == {"completeness", "longest_gap"}
    # Read at a 2-minute interval the same data is complete enough, and the gap still fails it.
    slow = await boss.get(f"/api/analytics/detectors/{d.id}/acceptance", params={"interval_s": 120})
    assert slow.json()["expected_samples"] == 2160 and slow.json()["completeness_percent"] == 100.0
    assert (
        await boss.get(f"/api/analytics/detectors/{d.id}/acceptance", params={"interval_s": 0})
    ).status_code == 400
    naive = await boss.get(
        f"/api/analytics/detectors/{d.id}/acceptance", params={"commissioned_at": "2026-11-24T02:00:00"}
    )
    assert naive.status_code == 422 and naive.json()["code"] == "time_naive"
    worker = await client_as(worker_p)
    assert (await worker.get(f"/api/analytics/detectors/{d.id}/acceptance")).status_code == 403

    pdf = await boss.get(f"/api/analytics/detectors/{d.id}/acceptance.pdf")
    if pdf.status_code == 503:  # no CJK font on this machine: the problem says so
        assert pdf.json()["code"] == "cjk_font_missing"
        return
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/Subtype /Type0" in pdf.content  # the CJK font is embedded
