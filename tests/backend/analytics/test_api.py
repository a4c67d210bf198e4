"""The analytics API over real HTTP: dashboard, drill-down, xlsx, alarm verdicts, calibrations
(entered and CSV-imported) and the live gas lock leaving out a detector whose calibration lapsed."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from backend.alarms.models import Alarm
from backend.analytics.models import DetectorCalibration
from backend.db.engine import transaction
from backend.gas.models import GasDetector, GasReading
from backend.org.models import Area
from tests.backend.analytics.month import NOW, SINCE, SQUARE, UNTIL, Month, make_month

PERIOD = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}


@pytest.fixture
async def month(sessionmaker: Any, settings: Any, clock: Any) -> Month:
    clock.now = NOW
    async with transaction(sessionmaker) as db:
        return await make_month(db, settings.secret_key)


async def test_dashboard_detail_and_export(client_as: Any, month: Month) -> None:
    boss = await client_as(month.people["boss"])
    q = {"unit_id": str(month.org.enterprise.id), **PERIOD}
    r = await boss.get("/api/analytics/dashboard", params=q)
    assert r.status_code == 200, r.text
    values = {i["key"]: i["value"] for i in r.json()["indicators"]}
    assert values["permit_overtime_rate"] == 6.67 and values["ai_false_positive_rate"] == 20.0

    r = await boss.get("/api/analytics/indicators/shadow_operators", params={**q, "by": "person"})
    assert r.status_code == 200
    assert sorted(g["label"] for g in r.json()["groups"] if g["value"]) == ["w3", "w4", "w6"]
    assert (await boss.get("/api/analytics/indicators/nope", params=q)).json()["code"] == "indicator_unknown"
    bad = await boss.get("/api/analytics/indicators/shadow_operators", params={**q, "by": "galaxy"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert (await boss.get("/api/analytics/dashboard", params={**q, "since": "yesterday"})).status_code == 400
    long = await boss.get("/api/analytics/dashboard", params={**q, "since": "2024-01-01T00:00:00Z"})
    assert long.status_code == 422 and long.json()["code"] == "period_too_long"

    r = await boss.get("/api/analytics/export.xlsx", params=q)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = {row[0]: row for row in wb["指标 Indicators"].iter_rows(min_row=3, values_only=True)}
    assert rows["unapproved_starts"][7] == 1 and rows["unapproved_starts"][8] == "未达标"
    assert rows["approval_median_minutes"][7] == 75 and rows["approval_median_minutes"][8] == "达标"
    overtime = list(wb["permit_overtime_rate"].iter_rows(min_row=2, values_only=True))
    assert len(overtime) == 30 and {r[3] for r in overtime if r[5] == "是"} == {"A-3", "B-5"}

    worker = await client_as(month.people["w1"])
    denied = await worker.get("/api/analytics/dashboard", params=q)
    assert denied.status_code == 403 and denied.json()["code"] == "analytics_forbidden"
    units = await (await client_as(month.people["leader_a"])).get("/api/analytics/units")
    assert [u["code"] for u in units.json()] == ["SA-W1-T1"]


async def test_alarm_verdicts_feed_the_false_positive_rate(
    client_as: Any, sessionmaker: Any, month: Month
) -> None:
    boss = await client_as(month.people["boss"])
    async with transaction(sessionmaker) as db:
        unreviewed = (
            await db.scalars(
                select(Alarm)
                .where(Alarm.kind == "no_helmet", Alarm.received_at >= SINCE)
                .order_by(Alarm.received_at)
            )
        ).all()[8:]
    for a in unreviewed:  # two more 误报: 4 of 12 reviewed
        r = await boss.post(f"/api/analytics/alarms/{a.id}/review", json={"verdict": "false_positive"})
        assert r.status_code == 200, r.text
    bad = await boss.post(f"/api/analytics/alarms/{a.id}/review", json={"verdict": "maybe"})
    assert bad.status_code == 400
    extra = await boss.post(f"/api/analytics/alarms/{a.id}/review", json={"verdict": "confirmed", "x": 1})
    assert extra.status_code == 400
    q = {"unit_id": str(month.org.enterprise.id), **PERIOD}
    r = await boss.get("/api/analytics/indicators/ai_false_positive_rate", params=q)
    assert r.json()["indicator"]["value"] == round(100 * 4 / 12, 2)
    worker = await client_as(month.people["w5"])
    denied = await worker.post(f"/api/analytics/alarms/{a.id}/review", json={"verdict": "confirmed"})
    assert denied.status_code == 403


async def test_calibrations_entered_and_imported(client_as: Any, sessionmaker: Any, month: Month) -> None:
    boss = await client_as(month.people["boss"])
    d1, d2 = month.detectors["D1"], month.detectors["D2"]
    body = {
        "detector_id": str(d2.id),
        "calibrated_at": (NOW - timedelta(hours=1)).isoformat(),
        "reference_gas": "CH4 50%LEL",
        "reference_value": 50,
        "reading": 49,
        "unit": "lel",
        "technician": "张工",
    }
    r = await boss.post("/api/analytics/calibrations", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["deviation_percent"] == -2.0 and r.json()["within_tolerance"] is True
    future = await boss.post(
        "/api/analytics/calibrations", json={**body, "calibrated_at": (NOW + timedelta(days=1)).isoformat()}
    )
    assert future.status_code == 422 and future.json()["code"] == "time_in_future"
    assert (
        await boss.post("/api/analytics/calibrations", json={**body, "reference_value": 0})
    ).status_code == 400

    csv_ok = (
        "detector_code,calibrated_at,reference_gas,reference_value,reading,unit,technician\n"
        f"D1,{(NOW - timedelta(hours=2)).isoformat()},CH4 50%LEL,50,52.5,lel,李工\n"
        f"D3,{(NOW - timedelta(hours=2)).isoformat()},CH4 50%LEL,50,50,lel,李工\n"
    )
    csv_bad = csv_ok + f"D9,{NOW.isoformat()},CH4,50,50,lel,李工\n"
    async with transaction(sessionmaker) as db:
        before = await db.scalar(select(func.count()).select_from(DetectorCalibration))
    r = await boss.post(
        "/api/analytics/calibrations/import", content=csv_bad.encode(), headers={"content-type": "text/csv"}
    )
    assert (
        r.status_code == 422
        and r.json()["code"] == "csv_detector_unknown"
        and "第 4 行" in r.json()["detail"]
    )
    async with transaction(sessionmaker) as db:
        assert (
            await db.scalar(select(func.count()).select_from(DetectorCalibration)) == before
        )  # nothing half-written
    wrong_type = await boss.post(
        "/api/analytics/calibrations/import", content=b"x", headers={"content-type": "image/png"}
    )
    assert wrong_type.status_code == 415 and wrong_type.json()["code"] == "unsupported_type"
    r = await boss.post(
        "/api/analytics/calibrations/import", content=csv_ok.encode(), headers={"content-type": "text/csv"}
    )
    assert r.status_code == 200 and r.json() == {"imported": 2}

    r = await boss.get("/api/analytics/detectors", params={"unit_id": str(month.org.enterprise.id)})
    flags = {d["code"]: (d["flag"], d["last_deviation_percent"]) for d in r.json()}
    assert flags == {"D1": ("out_of_tolerance", 5.0), "D2": (None, -2.0), "D3": (None, 0.0)}
    hist = await boss.get(f"/api/analytics/detectors/{d1.id}/calibrations", params={"limit": 2})
    assert [c["deviation_percent"] for c in hist.json()] == [5.0, 1.0]


async def test_gas_lock_leaves_out_a_detector_whose_calibration_lapsed(
    client_as: Any, sessionmaker: Any, month: Month
) -> None:
    """Area C has one detector with 20 min of clean readings: clear while its calibration is
    current, locked when the last calibration is out of tolerance or more than 7 days old."""
    async with transaction(sessionmaker) as db:
        org = month.org
        area = Area(
            site_id=org.site_a.id,
            workshop_id=org.workshop_a.id,
            code="AN-C",
            name="C区",
            hazard_class="general",
            plan_polygon=SQUARE,
            scope_path=org.workshop_a.path,
        )
        db.add(area)
        await db.flush()
        det = GasDetector(
            code="LK",
            name="LK",
            site_id=org.site_a.id,
            area_id=area.id,
            gas="methane",
            scope_path=org.workshop_a.path,
        )
        db.add(det)
        await db.flush()
        for m in range(21):
            at = NOW - timedelta(minutes=m)
            db.add(
                GasReading(
                    detector_id=det.id,
                    area_id=area.id,
                    measured_at=at,
                    received_at=at,
                    gas="methane",
                    lel_percent=1.0,
                    within_limits=True,
                )
            )

    async def calibrate(ago: timedelta, reading: float) -> None:
        async with transaction(sessionmaker) as db:
            db.add(
                DetectorCalibration(
                    detector_id=det.id,
                    calibrated_at=NOW - ago,
                    reference_gas="CH4",
                    reference_value=50.0,
                    reading=reading,
                    unit="lel",
                    deviation_percent=(reading - 50) * 2,
                    technician="t",
                    scope_path=det.scope_path,
                )
            )

    boss = await client_as(month.people["boss"])

    async def lock() -> dict[str, Any]:
        r = await boss.get(f"/api/gas/areas/{area.id}/lock")
        assert r.status_code == 200, r.text
        return dict(r.json())

    assert (await lock())["locked"] is False  # never calibrated here: left to the lock as before
    await calibrate(timedelta(days=8), 50.0)
    overdue = await lock()
    assert overdue["locked"] is True and "校准已过期" in overdue["reason"]
    await calibrate(timedelta(days=1), 50.5)
    assert (await lock())["locked"] is False
    await calibrate(timedelta(hours=1), 52.0)  # +4 %
    out = await lock()
    assert out["locked"] is True and "校准偏差超出允许范围" in out["reason"]


async def test_behaviour_heatmap_by_hour_trade_and_place(client_as: Any, month: Month) -> None:
    """Nine no-helmet alarms at 12:30 local (one more dismissed as 误报) and one no-permit alarm at
    18:00 (its twin dismissed), all at plan (50, 50) in area AN-A; SOS and gas alarms are not behaviour."""
    boss = await client_as(month.people["boss"])
    q = {"unit_id": str(month.org.enterprise.id), **PERIOD}
    r = await boss.get("/api/analytics/heatmap", params=q)
    assert r.status_code == 200, r.text
    h = r.json()
    assert h["total"] == 10 and h["by_hour"][12] == 9 and h["by_hour"][18] == 1 and sum(h["by_hour"]) == 10
    assert h["by_trade"] == {"hot_work": h["by_hour"]}
    assert h["cells"] == [{"x": 40, "y": 40, "size": 40, "count": 10}]
    assert [(a["name"], a["count"]) for a in h["by_area"]] == [("AN-A", 10)]
    night = await boss.get("/api/analytics/heatmap", params={**q, "shift": "night"})
    assert night.json()["total"] == 0
    assert (await boss.get("/api/analytics/heatmap", params={**q, "shift": "dawn"})).status_code == 400
    png = await boss.get("/api/analytics/heatmap.png", params={**q, "shift": "day"})
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


async def test_monthly_pdf_report(client_as: Any, month: Month) -> None:
    boss = await client_as(month.people["boss"])
    r = await boss.get(
        "/api/analytics/report.pdf", params={"unit_id": str(month.org.enterprise.id), **PERIOD}
    )
    if r.status_code == 503:  # no CJK font on this machine: the problem says so
        assert r.json()["code"] == "cjk_font_missing"
        return
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    # two A4 pages (indicators; heatmap), the CJK font embedded, the heatmap as an image
    assert b"/Count 2" in r.content and b"/MediaBox [0 0 595.28 841.89]" in r.content
    assert b"/Subtype /Type0" in r.content and b"/Subtype /Image" in r.content
