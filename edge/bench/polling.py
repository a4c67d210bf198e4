"""CPU of polling N gas detectors at 1 Hz (Modbus TCP read, decode, queue in SQLite); the site runs in a
child process so only the node's own work is counted."""

from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from edge.config import Bus, GasDetector
from edge.gas import GasPoller
from edge.modbus.hub import ModbusHub
from edge.outbox import Outbox
from edge.sim.profiles import drift
from edge.sim.site import ModbusSite, SimDetector

BUSES = 4  # TCP gateways; 16 detectors each


def _serve(port: int, count: int, seconds: float) -> None:
    async def main() -> None:
        site = ModbusSite(
            [SimDetector(1 + i, 0, "uint16", 0.1, drift(2.0, 1.0)) for i in range(count)],
            plc_unit=250,
            port=port,
        )
        await site.start()
        site.run_ticks(1.0)
        await asyncio.sleep(seconds)
        await site.stop()

    asyncio.run(main())


async def _listening(port: int, seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.1)):
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError(f"the simulated site did not listen on {port}")


async def measure(count: int, seconds: float, port: int) -> dict[str, float]:
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(port, count, seconds + 10))
    server.start()
    try:
        await _listening(port)
        buses = [Bus(name=f"gw{b}", port=port, frame_delay_ms=10, timeout_s=1) for b in range(BUSES)]
        detectors = [
            GasDetector(
                code=f"GD-{i:03d}",
                bus=f"gw{i % BUSES}",
                unit=1 + i,
                address=0,
                scale=0.1,
                gas="methane",
                lel_vol_percent=5.0,
            )
            for i in range(count)
        ]
        hubs = {b.name: ModbusHub(b) for b in buses}
        with tempfile.TemporaryDirectory() as tmp:
            outbox = Outbox(Path(tmp) / "q.db")
            poller = GasPoller(detectors, hubs, outbox, lambda: datetime.now(UTC))
            task = asyncio.create_task(poller.run())
            await asyncio.sleep(1.5)  # connect and settle
            missed0 = sum(poller.misses.values())
            depth0, cpu0, wall0 = outbox.depth(), time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            cpu, wall, got = time.process_time() - cpu0, time.perf_counter() - wall0, outbox.depth() - depth0
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            for hub in hubs.values():
                await hub.close()
            outbox.close()
        return {
            "detectors": count,
            "cpu_percent": round(100 * cpu / wall, 2),
            "readings_per_s": round(got / wall, 1),
            "missed": sum(poller.misses.values()) - missed0,
        }
    finally:
        server.terminate()
        server.join(5)
