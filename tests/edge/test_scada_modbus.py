"""SCADA over Modbus: the node polls pump P-3's vibration (register) and run state (discrete input)
from the real pymodbus site simulator, uplinks them to the real app, and they land in the series
the root-cause analysis reads — which then finds the night-time vibration case with no hint in the
H₂S detector's readings, polled from the same simulator and stored as %LEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select

from backend.analytics import diagnosis, rootcause
from backend.analytics.models import ScadaSample
from backend.db.engine import transaction
from backend.gas.models import GasReading
from backend.gas.service import register_detector
from edge.config import ScadaPoint
from edge.gas import GasPoller
from edge.modbus.hub import ModbusHub
from edge.outbox import Outbox
from edge.scada import ScadaPoller
from edge.sim.profiles import pump_running, pump_vibration_h2s, pump_vibration_hz
from edge.sim.site import ModbusSite, SimDetector, SimSwitch
from edge.uplink import Uplink
from tests.backend.alarms.plant import make_plant
from tests.edge.support import ServedApi, bus, h2s_ppm

PLANT = timezone(timedelta(hours=8))  # the site's clock: the simulator scripts P-3 in local time
LOCAL_MIDNIGHT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 2026-11-21 00:00 at UTC+8
POINTS = [
    ScadaPoint(tag="P-3.vibration_hz", bus="line1", unit=4, address=0, scale=0.1),
    ScadaPoint(tag="P-3.running", bus="line1", unit=4, address=0, source="discrete_input"),
]


@pytest.fixture
async def site(sessionmaker, settings, clock, tmp_path):
    clock.now = LOCAL_MIDNIGHT
    async with transaction(sessionmaker) as db:
        plant = await make_plant(db, settings.secret_key, clock())
        detector = await register_detector(
            db,
            plant.area,
            "GD-102",
            "2#硫化氢",
            "hydrogen_sulfide",
            "fixed",
            plant.edge,
            plant.area.scope_path,
        )
    api = ServedApi(settings, clock)
    await api.start()
    sim = ModbusSite(
        [
            SimDetector(2, 4, "float32", 1.0, pump_vibration_h2s),  # GD-102: H₂S ppm
            SimDetector(4, 0, "uint16", 0.1, pump_vibration_hz),
        ],
        switches=[SimSwitch(4, 0, "discrete_input", pump_running)],
        clock=lambda: clock().astimezone(PLANT),
    )
    hub = ModbusHub(bus(await sim.start(), frame_delay_ms=0))
    client = httpx.AsyncClient(base_url=api.url, timeout=5)
    outbox = Outbox(tmp_path / "edge" / "queue.db")
    uplink = Uplink(client, outbox, plant.edge_token, batch=500, clock=clock)
    yield plant, detector, sim, ScadaPoller(POINTS, {"line1": hub}, outbox, clock), uplink
    await client.aclose()
    await hub.close()
    await sim.stop()
    await api.stop()
    outbox.close()


async def _series(sessionmaker) -> dict[str, list[tuple[datetime, float]]]:
    async with transaction(sessionmaker) as db:
        rows = await db.execute(
            select(ScadaSample.tag, ScadaSample.at, ScadaSample.value).order_by(ScadaSample.at)
        )
        out: dict[str, list[tuple[datetime, float]]] = {}
        for tag, at, value in rows:
            out.setdefault(tag, []).append((at.replace(tzinfo=UTC) if at.tzinfo is None else at, value))
        return out


async def _step(sim: ModbusSite, poller: ScadaPoller) -> None:
    await sim.tick()
    for p in POINTS:
        assert await poller.poll(p) is not None


async def test_polled_points_are_uplinked_into_the_site_series_once(site, sessionmaker, clock) -> None:
    plant, _d, sim, poller, uplink = site
    clock.now = LOCAL_MIDNIGHT + timedelta(hours=4, minutes=30)  # 04:30 local: P-3 runs, vibrating
    await _step(sim, poller)
    clock.now = LOCAL_MIDNIGHT + timedelta(hours=12)  # noon: stopped
    await _step(sim, poller)
    sent = [i.body for i in uplink.outbox.head(10)]
    assert await uplink.drain() == 4 and uplink.outbox.dead() == []
    series = await _series(sessionmaker)
    assert {t: [v for _, v in s] for t, s in series.items()} == {
        "P-3.vibration_hz": [18.0, 4.0],
        "P-3.running": [1.0, 0.0],
    }
    assert series["P-3.running"][0][0] == LOCAL_MIDNIGHT + timedelta(hours=4, minutes=30)
    async with transaction(sessionmaker) as db:
        site_ids = set(await db.scalars(select(ScadaSample.site_id)))
    assert site_ids == {plant.edge.site_id}

    # The answer was lost: the node sends the same samples again; they are stored once.
    res = await uplink.client.post(
        "/api/analytics/scada/samples", json={"samples": sent}, headers=uplink.headers()
    )
    assert res.status_code == 200 and res.json() == {
        "accepted": 0,
        "tags": ["P-3.running", "P-3.vibration_hz"],
    }
    # A wristband is no SCADA source; a naive time is refused; neither leaves a row behind.
    wrist = {**uplink.headers(), "authorization": f"Bearer {plant.wearable_token}"}
    res = await uplink.client.post("/api/analytics/scada/samples", json={"samples": sent}, headers=wrist)
    assert res.status_code == 403 and res.json()["code"] == "device_not_edge"
    naive = [{"tag": "P-3.running", "at": "2026-11-21T13:00:00", "value": 1}]
    res = await uplink.client.post(
        "/api/analytics/scada/samples", json={"samples": naive}, headers=uplink.headers()
    )
    assert res.status_code == 400 and res.json()["code"] == "validation_failed"  # decoding refuses it
    assert sum(len(s) for s in (await _series(sessionmaker)).values()) == 4


async def test_root_cause_finds_the_night_vibration_from_modbus_fed_gas_and_scada(
    site, sessionmaker, clock, tmp_path
) -> None:
    """End to end: the simulator's H₂S detector (ppm, float32) and P-3's points are polled over
    Modbus, the node converts H₂S to %LEL (28 ppm → 0.07 %LEL) and uplinks both; the analysis reads
    the %LEL readings as stored and, with no hint, finds the 04:00–05:30 vibration interference.

    Readings and samples share the node's one queue, interleaved as they are polled; each drain
    still sends one request per kind (the uplink picks a run by kind up to the next alarm)."""
    _plant, d, sim, poller, uplink = site
    uplink.batch = 500
    gas = GasPoller([h2s_ppm()], poller.hubs, uplink.outbox, clock)
    days = 4
    since = clock()
    for step in range(days * 288):  # every 5 minutes for four days, on the test's clock
        await _step(sim, poller)
        assert await gas.poll(gas.detectors[0]) is not None
        clock.advance(minutes=5)
        if step % 150 == 149:
            await uplink.drain()
    assert await uplink.drain() > 0
    until = clock()
    assert uplink.outbox.depth() == 0 and uplink.outbox.dead() == []
    series = await _series(sessionmaker)
    assert {t: len(s) for t, s in series.items()} == {"P-3.vibration_hz": 1152, "P-3.running": 1152}
    async with transaction(sessionmaker) as db:
        stored = sorted({v for v in await db.scalars(select(GasReading.lel_percent))})
    assert stored == [0.0, 0.0375, 0.07]  # 0, 15 and 28 ppm H₂S as %LEL: all under 2 units

    async with transaction(sessionmaker) as db:
        a = await diagnosis.run(db, d, since, until, timedelta(hours=8))
        out = diagnosis.root_cause_out(d, a, since, until)
    assert out.verdict == "interference" and out.unit == "ppm"
    assert [(w.start, w.end, w.days_with, w.days_total) for w in out.windows] == [
        ("04:00", "05:30", days, days)
    ]
    assert {e.peak for e in out.episodes} == {28.0} and len(out.episodes) == days
    tags = {e.tag: e for e in out.evidence}
    assert set(tags) == {"P-3.running", "P-3.vibration_hz"}
    assert tags["P-3.vibration_hz"].mean_in_anomaly == pytest.approx(18.0)
    assert out.suggested_tag == "vibration_interference"
    assert f"04:00–05:30 on {days} of {days} days (sudden jumps up to 28 ppm" in out.finding["en"]
    assert "突升至最高 28 ppm 后回零" in out.finding["zh-CN"]
    # The same %LEL numbers taken as they are (the old analysis) stay under the 2-unit floor.
    async with transaction(sessionmaker) as db:
        rows = (await db.execute(select(GasReading.measured_at, GasReading.lel_percent))).all()
    as_stored = [(at.replace(tzinfo=UTC) if at.tzinfo is None else at, v) for at, v in rows]
    assert rootcause.analyse(as_stored, series, since, until).verdict == "normal"


def test_config_checks_scada_points(tmp_path) -> None:
    from tests.edge.support import example_config

    config = example_config(tmp_path)
    assert [(p.tag, p.source) for p in config.scada] == [
        ("P-3.vibration_hz", "holding"),
        ("P-3.running", "discrete_input"),
    ]
    point = {"tag": "P-3.running", "bus": "line9", "address": 0}
    with pytest.raises(ValueError, match="no bus named 'line9'"):
        example_config(tmp_path, scada=[point])
    twice = [point | {"bus": "line1"}, point | {"bus": "line1", "address": 1}]
    with pytest.raises(ValueError, match="used twice"):
        example_config(tmp_path, scada=twice)
