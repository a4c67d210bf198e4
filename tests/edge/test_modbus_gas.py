"""Gas detectors over a real pymodbus server on 127.0.0.1: scaling, RTU framing, reconnection, backoff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from edge.gas import GasPoller
from edge.modbus.hub import BusDown, DeviceRefused, ModbusHub
from edge.outbox import Outbox
from edge.sim.profiles import leak
from edge.sim.site import ModbusSite, SimDetector
from tests.edge.support import bus, h2s_ppm, methane

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def site(**kw: object) -> ModbusSite:
    return ModbusSite(
        [
            SimDetector(1, 0, "uint16", 0.1, lambda t, _n: 12.3),
            SimDetector(2, 4, "float32", 1.0, lambda t, _n: 28.0),
        ],
        clock=lambda: NOW,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("framer", ["socket", "rtu"])
async def test_polls_and_scales_each_detector(tmp_path, framer):
    sim = site(framer=framer)
    port = await sim.start()
    hub = ModbusHub(bus(port, framer))
    outbox = Outbox(tmp_path / "q.db")
    poller = GasPoller([methane(), h2s_ppm()], {"line1": hub}, outbox, lambda: NOW)
    try:
        ch4 = await poller.poll(methane())
        h2s = await poller.poll(h2s_ppm())
    finally:
        await hub.close()
        await sim.stop()
    assert ch4 is not None and ch4.lel_percent == pytest.approx(12.3)
    # 28 ppm = 0.0028 % v/v; H₂S LEL 4.0 % → 0.07 %LEL
    assert h2s is not None and h2s.value == pytest.approx(28.0) and h2s.lel_percent == pytest.approx(0.07)
    queued = [i.body for i in outbox.head(10)]
    assert [q["detector"] for q in queued] == ["GD-101", "GD-102"]
    assert queued[0]["lel_percent"] == pytest.approx(12.3)


async def test_reconnects_after_the_server_restarts_and_logs_the_error_once(tmp_path, caplog):
    clock_t = [0.0]
    sim = ModbusSite([SimDetector(1, 0, "uint16", 0.1, leak(0, 10, 50.0))], clock=lambda: NOW)
    port = await sim.start()
    hub = ModbusHub(bus(port))
    poller = GasPoller([methane()], {"line1": hub}, Outbox(tmp_path / "q.db"), lambda: NOW)
    assert await poller.poll(methane()) is not None
    await sim.stop()
    with caplog.at_level("ERROR", logger="edge.modbus"):
        for _ in range(5):
            assert await poller.poll(methane()) is None
            clock_t[0] += 1
            await _sleep(0.06)
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1, "an outage is logged once, not once per poll"
    assert hub.failing is not None and poller.misses["GD-101"] == 5

    sim.port = port  # the PLC comes back on the same address
    await sim.start()
    await sim.set_value(sim.detectors[0], 42.0)
    got = None
    for _ in range(50):  # backoff ≤ 0.2 s in this config
        got = await poller.poll(methane())
        if got is not None:
            break
        await _sleep(0.05)
    await hub.close()
    await sim.stop()
    assert got is not None and got.lel_percent == pytest.approx(42.0)
    assert hub.failing is None


async def test_an_exception_response_spares_the_bus_and_a_dead_bus_backs_off(tmp_path):
    sim = site()
    port = await sim.start()
    hub = ModbusHub(bus(port, backoff_initial_s=30))
    try:
        with pytest.raises(DeviceRefused):
            await hub.read_registers(1, 1000, 1)  # outside the map: Modbus exception 2
        assert hub.failing is None
        assert await hub.read_registers(1, 0, 1) == [123]  # the other registers still read
        await sim.stop()
        with pytest.raises(BusDown):
            await hub.read_registers(1, 0, 1)
        errors = hub.errors
        with pytest.raises(BusDown):  # backing off for 30 s: refused here, nothing sent
            await hub.read_registers(1, 0, 1)
        assert hub.errors == errors
    finally:
        await hub.close()
        await sim.stop()


async def _sleep(s: float) -> None:
    import asyncio

    await asyncio.sleep(s)
