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


async def test_the_simulators_wristbands_publish_the_documented_payload_with_one_sos():
    import aiomqtt

    from edge.wearables.payload import Event, Telemetry, decode
    from tests.edge.wearables_support import MQTT_HOST, MQTT_PORT, unique_topic

    topic = unique_topic()
    tezuo = Path(sys.executable).parent / "tezuo"
    async with aiomqtt.Client(MQTT_HOST, MQTT_PORT) as client:
        await client.subscribe(f"{topic}/+", qos=1)
        proc = await asyncio.create_subprocess_exec(
            str(tezuo), "sim", "site", "--port", str(free_port()), "--seconds", "4",
            "--band-topic", topic, "--sos-after", "1", stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        seen: list[Telemetry | Event] = []

        async def collect() -> None:
            async for message in client.messages:
                assert isinstance(message.payload, bytes)
                msg = decode(message.payload)  # what the node accepts
                assert str(message.topic) == f"{topic}/{msg.band}"
                seen.append(msg)
                if any(isinstance(m, Event) for m in seen):
                    return

        await asyncio.wait_for(collect(), 20)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    bands = {m.band for m in seen if isinstance(m, Telemetry)}
    assert bands == {"WB-01", "WB-02", "WB-03"}
    (sos,) = [m for m in seen if isinstance(m, Event)]
    assert sos.band == "WB-02" and sos.event == "sos" and sos.pos is not None
