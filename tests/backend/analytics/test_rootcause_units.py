"""Root-cause analysis in the unit a gas is read in: an H₂S detector's readings are stored as %LEL
(what the edge node uplinks: 28 ppm = 0.07 %LEL) and analysed in ppm, so neither the night-time
interference nor a genuine leak hides under the 2-unit floor; flammable gases stay in %LEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from backend.analytics import diagnosis, rootcause, scenarios
from backend.analytics.schemas import RootCauseOut
from backend.db.engine import transaction
from backend.gas import units
from backend.gas.models import GasDetector, GasReading
from backend.gas.service import register_detector
from edge.modbus.registers import to_reading
from tests.backend.alarms.plant import make_plant
from tests.edge.support import h2s_ppm, methane

LOCAL_MIDNIGHT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 2026-11-21 00:00 at UTC+8


def test_the_edge_node_and_the_analysis_convert_alike() -> None:
    lel, o2 = to_reading(h2s_ppm(), 28.0)  # the node: an H₂S register in ppm → %LEL for the uplink
    assert (lel, o2) == (0.07, None)
    assert units.from_lel("hydrogen_sulfide", 0.07) == pytest.approx(28.0)  # the server: back to ppm
    assert units.to_lel("hydrogen_sulfide", 28.0) == pytest.approx(0.07)
    assert units.ppm_from_lel(1.0, 4.0) == pytest.approx(400.0)  # 1 %LEL = LEL × 100 ppm
    assert to_reading(methane(), 12.5) == (12.5, None)
    assert units.from_lel("methane", 12.5) == 12.5
    assert [units.unit_of(g) for g in ("hydrogen_sulfide", "carbon_monoxide", "ammonia")] == ["ppm"] * 3
    assert [units.unit_of(g) for g in ("methane", "propane", "no_such_gas")] == ["%LEL"] * 3


async def _detectors(sessionmaker: Any, settings: Any, clock: Any, *gases: str) -> list[GasDetector]:
    async with transaction(sessionmaker) as db:
        plant = await make_plant(db, settings.secret_key, clock())
        return [
            await register_detector(
                db, plant.area, f"GD-{i}", f"GD-{i}", gas, "fixed", plant.edge, plant.area.scope_path
            )
            for i, gas in enumerate(gases)
        ]


async def _analyse(
    sessionmaker: Any, d: GasDetector, s: scenarios.Scenario, as_lel: list[tuple[datetime, float]]
) -> RootCauseOut:
    """Store the readings as %LEL (rounded as the node rounds) and analyse them from the database."""
    async with transaction(sessionmaker) as db:
        await db.execute(
            insert(GasReading),
            [
                {"detector_id": d.id, "area_id": d.area_id, "measured_at": at, "received_at": at,
                 "gas": d.gas, "lel_percent": round(v, 4), "within_limits": True}
                for at, v in as_lel
            ],
        )  # fmt: skip
        a = await diagnosis.run(db, d, s.since, s.until, timedelta(hours=8))
        return diagnosis.root_cause_out(d, a, s.since, s.until)


def _h2s_as_lel(readings: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    return [(at, units.to_lel("hydrogen_sulfide", ppm)) for at, ppm in readings]


async def test_a_genuine_h2s_leak_in_lel_units_is_not_explained_away(sessionmaker, settings, clock) -> None:
    clock.now = LOCAL_MIDNIGHT
    [d] = await _detectors(sessionmaker, settings, clock, "hydrogen_sulfide")
    noisy = scenarios.night_vibration(LOCAL_MIDNIGHT)
    ramp = scenarios.leak(LOCAL_MIDNIGHT)  # up to ~40 ppm = 0.1 %LEL from 10:00 on the last day
    ppm = [(at, max(a, b)) for (at, a), (_, b) in zip(noisy.readings, ramp.readings, strict=True)]
    lel = _h2s_as_lel(ppm)
    assert max(v for _, v in lel) < 0.11
    # Taken as %LEL numbers (the analysis before units), the leak is under the floor: "normal".
    assert rootcause.analyse(lel, noisy.scada, noisy.since, noisy.until).verdict == "normal"

    out = await _analyse(sessionmaker, d, noisy, lel)
    assert out.verdict == "possible_leak" and out.unit == "ppm" and out.suggested_tag == "genuine_leak"
    assert {e.shape for e in out.episodes} == {"spike", "sustained_rise"}  # the nightly spikes too
    leak = [e for e in out.episodes if e.shape == "sustained_rise"]
    assert len(leak) == 1 and 39 < leak[0].peak < 42
    ramp_start = LOCAL_MIDNIGHT + timedelta(days=6, hours=10)  # 10:00 local on the last day
    assert ramp_start <= leak[0].start.astimezone(UTC) < ramp_start + timedelta(minutes=30)
    assert "From 11-27 10:" in out.finding["en"] and " ppm and does not fall back" in out.finding["en"]
    assert "ppm 且未回落" in out.finding["zh-CN"]


async def test_a_methane_leak_stays_in_lel_and_small_lel_wobbles_stay_normal(
    sessionmaker, settings, clock
) -> None:
    clock.now = LOCAL_MIDNIGHT
    d, quiet_one = await _detectors(sessionmaker, settings, clock, "methane", "methane")
    s = scenarios.leak(LOCAL_MIDNIGHT)  # the same ramp, read as %LEL of methane: up to ~40 %LEL
    out = await _analyse(sessionmaker, d, s, s.readings)
    assert out.verdict == "possible_leak" and out.unit == "%LEL"
    assert "does not fall back" in out.finding["en"] and "%LEL and does not" in out.finding["en"]

    # The night-time H₂S-sized spikes (0.07 %LEL) on a methane detector are under 2 %LEL: normal.
    n = scenarios.night_vibration(LOCAL_MIDNIGHT)
    quiet = await _analyse(sessionmaker, quiet_one, n, _h2s_as_lel(n.readings))
    assert quiet.verdict == "normal" and 2 <= quiet.threshold < 2.01
    assert quiet.finding["en"] == f"No anomaly (threshold {quiet.threshold:g} %LEL)."
