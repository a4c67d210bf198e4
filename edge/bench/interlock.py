"""Wall time from a frame whose rule fires to the PLC's power-cut coil written and read back (loopback)."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime

import numpy as np

from edge.config import Bus, Camera, EdgeConfig, Plc, Rule, ScriptedDetector, Uplink, Zone
from edge.node import Node
from edge.sim.scenes import crane
from edge.sim.site import ModbusSite
from edge.vision.base import Frame
from edge.vision.scripted import ScriptedDetector as Scripted


async def interlock_ms(rounds: int) -> dict[str, float]:
    times = []
    site = ModbusSite([], plc_unit=100)
    port = await site.start()
    camera = Camera(name="cam", source="scripted", detector=ScriptedDetector(script="crane"))
    zone = Zone(
        code="Z-CRANE",
        area_code="A",
        camera="cam",
        kind="crane_radius",
        permit_types=["lifting"],
        polygon=[(350, 300), (560, 300), (560, 420), (350, 420)],
        power_coil=5,
        cut_power=True,
    )
    image = np.zeros((480, 640, 3), np.uint8)
    try:
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as tmp:
                config = EdgeConfig(
                    data_dir=tmp,
                    uplink=Uplink(url="http://127.0.0.1:9", token="tzd_x"),
                    buses=[Bus(name="plc", port=port, frame_delay_ms=0)],
                    plc=Plc(bus="plc", unit=100),
                    cameras=[camera],
                    zones=[zone],
                    rules=[Rule(name="no_permit_work", hold_s=2, window_s=5, tier=1)],
                )
                node = Node(config, clock=lambda: datetime.now(UTC))
                detector = Scripted(camera.detector, crane())  # type: ignore[arg-type]
                for n in range(40):
                    start = time.perf_counter()
                    fired = await node.process_frame(camera, Frame("cam", n / 2, image), detector)
                    if fired:
                        assert await site.coil(5)
                        times.append((time.perf_counter() - start) * 1000)
                        break
                await node.hubs["plc"].write_coil(100, 5, False)
                await node.close()
    finally:
        await site.stop()
    times.sort()
    return {"p50_ms": round(times[len(times) // 2], 1), "max_ms": round(times[-1], 1), "rounds": len(times)}
