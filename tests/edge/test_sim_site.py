"""`tezuo sim site` is `tezuo edge sim` under `tezuo sim`: the real CLI serves the site over Modbus TCP."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from pymodbus.client import AsyncModbusTcpClient

from tests.edge.support import free_port


async def test_tezuo_sim_site_serves_the_example_site_and_stops():
    port = free_port()
    tezuo = Path(sys.executable).parent / "tezuo"
    proc = await asyncio.create_subprocess_exec(
        str(tezuo), "sim", "site", "--port", str(port), "--seconds", "4", stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    assert f"Modbus TCP on 127.0.0.1:{port}" in line.decode()
    client = AsyncModbusTcpClient("127.0.0.1", port=port)
    try:
        assert await client.connect()
        o2 = await client.read_holding_registers(0, count=1, device_id=3)  # GD-103: O₂ in tenths of %
        assert not o2.isError() and 195 <= o2.registers[0] <= 235
        coils = await client.read_coils(0, count=8, device_id=100)  # the PLC
        assert not coils.isError() and not any(coils.bits[:8])
    finally:
        client.close()
    assert await asyncio.wait_for(proc.wait(), 30) == 0
