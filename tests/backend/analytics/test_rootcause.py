"""Root-cause analysis: the night-time pump-vibration case is found with no hint, a genuine leak
is not explained away, and the API imports SCADA, answers with the finding, the plot and tags."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from PIL import Image
from sqlalchemy import insert

from backend.analytics import rootcause, scenarios
from backend.db.engine import transaction
from backend.gas.models import GasReading
from tests.backend.analytics.month import make_month

LOCAL_MIDNIGHT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 2026-11-21 00:00 at UTC+8


def _analyse(s: scenarios.Scenario) -> rootcause.Analysis:
    return rootcause.analyse(s.readings, s.scada, s.since, s.until)


def test_night_vibration_is_found_without_a_hint() -> None:
    a = _analyse(scenarios.night_vibration(LOCAL_MIDNIGHT))
    assert a.verdict == "interference"
    assert [(w.start, w.end, w.days_with, w.days_total) for w in a.windows] == [("04:00", "05:30", 7, 7)]
    tags = {e.tag: e for e in a.evidence}
    assert set(tags) == {"P-3.running", "P-3.vibration_hz"}  # P-5 runs in the afternoon: not named
    assert 17 < tags["P-3.vibration_hz"].mean_in_anomaly < 19
    assert all(e.shape == "spike" for e in a.episodes)
    assert "04:00–05:30 on 7 of 7 days" in a.finding["en"] and "P-3.vibration_hz" in a.finding["en"]
    assert "设备振动干扰" in a.finding["zh-CN"]


def test_a_genuine_leak_is_not_explained_away() -> None:
    a = _analyse(scenarios.leak(LOCAL_MIDNIGHT))
    assert a.verdict == "possible_leak" and a.evidence == [] and a.windows == []
    assert [e.shape for e in a.episodes] == ["sustained_rise"]
    assert "11-27 10:" in a.finding["en"] and "real leak" in a.finding["en"]


def test_a_leak_on_a_site_with_nightly_interference_is_still_a_leak() -> None:
    noisy = scenarios.night_vibration(LOCAL_MIDNIGHT)
    ramp = scenarios.leak(LOCAL_MIDNIGHT)
    readings = [(at, max(v1, v2)) for (at, v1), (_, v2) in zip(noisy.readings, ramp.readings, strict=True)]
    a = rootcause.analyse(readings, noisy.scada, noisy.since, noisy.until)
    assert a.verdict == "possible_leak"
    assert {e.shape for e in a.episodes} == {"spike", "sustained_rise"}


def test_quiet_and_sporadic_series() -> None:
    s = scenarios.night_vibration(LOCAL_MIDNIGHT)
    quiet = [(at, 0.3) for at, _ in s.readings]
    assert rootcause.analyse(quiet, s.scada, s.since, s.until).verdict == "normal"
    one = [(at, 25.0 if i == 3000 else 0.3) for i, (at, _) in enumerate(s.readings)]
    assert rootcause.analyse(one, s.scada, s.since, s.until).verdict == "sporadic"
    assert rootcause.analyse([], s.scada, s.since, s.until).verdict == "no_data"


async def test_api_imports_scada_and_answers_with_finding_plot_and_tags(
    client_as: Any, sessionmaker: Any, settings: Any, clock: Any
) -> None:
    s = scenarios.night_vibration(LOCAL_MIDNIGHT)
    clock.now = s.until
    async with transaction(sessionmaker) as db:
        month = await make_month(db, settings.secret_key)
        d = month.detectors["D1"]
        await db.execute(
            insert(GasReading),
            [
                {
                    "detector_id": d.id,
                    "area_id": d.area_id,
                    "measured_at": at,
                    "received_at": at,
                    "gas": "methane",  # D1 is a methane detector: the same numbers as %LEL
                    "lel_percent": v,
                    "within_limits": True,
                }
                for at, v in s.readings
            ],
        )
    boss = await client_as(month.people["boss"])
    csv = "tag,at,value\n" + "".join(
        f"{tag},{at.isoformat()},{v}\n" for tag, rows in s.scada.items() for at, v in rows
    )
    r = await boss.post(
        f"/api/analytics/scada/import?site_id={month.org.site_a.id}",
        content=csv.encode(),
        headers={"content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["tags"] == ["P-3.running", "P-3.vibration_hz", "P-5.running", "P-5.vibration_hz"]
    bad = await boss.post(
        f"/api/analytics/scada/import?site_id={month.org.site_a.id}",
        content=b"tag,at,value\nP-3.running,2026-11-21 04:00,1\n",  # no time zone
        headers={"content-type": "text/csv"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "csv_row_invalid"

    r = await boss.get(f"/api/analytics/detectors/{d.id}/root-cause", params={"days": 7})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["verdict"] == "interference" and out["suggested_tag"] == "vibration_interference"
    assert out["unit"] == "%LEL" and "sudden jumps up to 28 %LEL and back to zero" in out["finding"]["en"]
    assert out["windows"] == [{"start": "04:00", "end": "05:30", "days_with": 7, "days_total": 7}]
    assert {e["tag"] for e in out["evidence"]} == {"P-3.running", "P-3.vibration_hz"}

    png = await boss.get(f"/api/analytics/detectors/{d.id}/root-cause.png", params={"days": 7})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (960, 420)
    assert (
        await boss.get(f"/api/analytics/detectors/{d.id}/root-cause", params={"days": 90})
    ).status_code == 400

    tag = {
        "tag": "vibration_interference",
        "finding": out["finding"]["zh-CN"],
        "fix": "加装减振支架，传感器移位 2 m",
    }
    r = await boss.post(f"/api/analytics/detectors/{d.id}/tags", json=tag)
    assert r.status_code == 201 and r.json()["label"]["zh-CN"] == "设备振动干扰"
    assert (
        await boss.post(f"/api/analytics/detectors/{d.id}/tags", json={"tag": "ghosts"})
    ).status_code == 400
    listed = await boss.get(f"/api/analytics/detectors/{d.id}/tags")
    assert [t["fix"] for t in listed.json()] == ["加装减振支架，传感器移位 2 m"]
    worker = await client_as(month.people["w1"])
    assert (await worker.get(f"/api/analytics/detectors/{d.id}/root-cause")).status_code == 403
