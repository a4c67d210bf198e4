"""Store-and-forward against the real app under uvicorn: readings arrive; a 10-minute outage loses nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from backend.alarms.models import Alarm
from backend.db.engine import transaction
from backend.gas.models import GasReading
from backend.gas.service import register_detector
from edge.gas import GasPoller
from edge.modbus.hub import ModbusHub
from edge.outbox import Outbox
from edge.sim.profiles import leak
from edge.sim.site import ModbusSite, SimDetector
from edge.uplink import Uplink
from tests.backend.alarms.plant import make_plant
from tests.edge.support import ServedApi, bus, methane


@pytest.fixture
async def node(sessionmaker, settings, clock):
    """An edge node registered on a site, its detector bound to an area, the API served on loopback."""
    async with transaction(sessionmaker) as db:
        plant = await make_plant(db, settings.secret_key, clock())
        await register_detector(
            db, plant.area, "GD-101", "1#可燃气", "methane", "fixed", plant.edge, plant.area.scope_path
        )
    api = ServedApi(settings, clock)
    await api.start()
    # A leak starting at 30 s, reaching 40 %LEL after 5 minutes, on the test's clock.
    sim = ModbusSite([SimDetector(1, 0, "uint16", 0.1, leak(30, 300, 40.0))], clock=clock)
    port = await sim.start()
    hub = ModbusHub(bus(port))
    client = httpx.AsyncClient(base_url=api.url, timeout=5)
    yield plant, api, sim, hub, client
    await client.aclose()
    await hub.close()
    await sim.stop()
    await api.stop()


async def readings(sessionmaker) -> list[GasReading]:
    async with transaction(sessionmaker) as db:
        return list(await db.scalars(select(GasReading).order_by(GasReading.measured_at)))


async def test_readings_and_alarms_survive_a_ten_minute_outage_in_order(node, sessionmaker, clock, tmp_path):
    plant, api, sim, hub, client = node
    outbox = Outbox(tmp_path / "edge" / "queue.db")
    uplink = Uplink(client, outbox, plant.edge_token, batch=50, clock=clock)
    poller = GasPoller([methane()], {"line1": hub}, outbox, clock)

    async def second() -> None:
        clock.advance(seconds=1)
        await sim.tick()
        assert await poller.poll(methane()) is not None

    for _ in range(5):
        await second()
    assert await uplink.drain() == 5
    assert len(await readings(sessionmaker)) == 5

    await api.stop()  # the uplink goes down for ten minutes (of the test's clock)
    alarm_id = "0193f0c2-7b1e-7000-8000-00000000a001"
    for s in range(600):
        await second()
        if s == 300:
            outbox.put(
                "alarm",
                alarm_id,
                {
                    "alarm_id": alarm_id,
                    "kind": "gas_over_limit",
                    "raised_at": clock().isoformat(),
                    "area_code": "SA-A1",
                    "message": "GD-101 over limit",
                },
            )
        if s % 60 == 0:
            assert await uplink.drain() == 0
    assert uplink.down is not None and outbox.depth() == 601

    await api.start()
    assert await uplink.drain() == 601
    assert outbox.depth() == 0 and uplink.down is None and outbox.dead() == []
    stored = await readings(sessionmaker)
    assert len(stored) == 605
    times = [r.measured_at for r in stored]
    assert times == sorted(times) and times[-1] - times[0] == timedelta(seconds=604)
    assert stored[-1].lel_percent == pytest.approx(40.0)  # the leak, as the detector showed it
    async with transaction(sessionmaker) as db:
        alarm = await db.get(Alarm, __import__("uuid").UUID(alarm_id))
        assert alarm is not None and alarm.kind == "gas_over_limit"


async def test_a_resent_batch_is_stored_once_and_a_refused_message_does_not_block_the_queue(
    node, sessionmaker, clock, tmp_path
):
    plant, _api, _sim, hub, client = node
    outbox = Outbox(tmp_path / "queue.db")
    uplink = Uplink(client, outbox, plant.edge_token, clock=clock)
    poller = GasPoller([methane()], {"line1": hub}, outbox, clock)
    for _ in range(3):
        clock.advance(seconds=1)
        await poller.poll(methane())
    sent = [i.body for i in outbox.head(10)]
    assert await uplink.drain() == 3
    # The answer was lost on the way back: the node sends the same readings again.
    res = await client.post("/api/gas/readings", json={"readings": sent}, headers=uplink.headers())
    assert res.status_code == 200 and res.json()["accepted"] == 0
    assert len(await readings(sessionmaker)) == 3

    outbox.put(
        "reading",
        "bad",
        {"detector": "NOT-REGISTERED", "measured_at": clock().isoformat(), "lel_percent": 1.0},
    )
    clock.advance(seconds=1)
    await poller.poll(methane())
    assert await uplink.drain() == 1  # the good reading after it went through
    assert [d[0] for d in outbox.dead()] == ["bad"] and outbox.depth() == 0
    assert len(await readings(sessionmaker)) == 4
    assert outbox.put("reading", "bad", {}) is True  # buried ids leave the queue…
    assert outbox.put("reading", "bad", {}) is False  # …and a queued id is queued once
