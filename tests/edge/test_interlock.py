"""PLC coils over a real pymodbus server: write with read-back, dry-run writes nothing, faults are loud."""

from __future__ import annotations

import pytest

from edge.config import Plc
from edge.interlock import Interlock, InterlockFault
from edge.modbus.hub import ModbusHub
from edge.sim.site import ModbusSite
from tests.edge.support import bus


@pytest.fixture
async def plc_site():
    sim = ModbusSite([], plc_unit=100)
    port = await sim.start()
    hub = ModbusHub(bus(port))
    yield sim, hub
    await hub.close()
    await sim.stop()


async def test_cut_power_sets_the_coil_and_reads_it_back(plc_site):
    sim, hub = plc_site
    lock = Interlock(Plc(bus="line1", unit=100, alarm_coil=0), hub)
    assert await sim.coil(5) is False
    await lock.cut_power(5, "no_permit_work in Z-CRANE")
    assert await sim.coil(5) is True and 5 in lock.latched
    await lock.sound_alarm("tier 1")
    assert await sim.coil(0) is True
    await lock.reset(5, "safety officer 王工")
    assert await sim.coil(5) is False and not lock.latched


async def test_dry_run_writes_nothing_but_records_what_it_would_write(plc_site):
    sim, hub = plc_site
    lock = Interlock(Plc(bus="line1", unit=100, dry_run=True), hub)
    action = await lock.cut_power(5, "no_permit_work")
    assert action.dry_run and action.value is True
    assert await sim.coil(5) is False


async def test_a_coil_that_does_not_exist_is_a_fault_not_a_silent_success(plc_site):
    _sim, hub = plc_site
    lock = Interlock(Plc(bus="line1", unit=100), hub)
    with pytest.raises(InterlockFault):
        await lock.cut_power(500, "beyond the PLC's coils")
    assert lock.fault is not None and 500 not in lock.latched
