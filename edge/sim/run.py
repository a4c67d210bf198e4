"""`tezuo edge sim`: the site of edge/edge.example.toml on a Modbus TCP port, logging coil changes."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from edge.sim.bands import demo_bands, publish_bands
from edge.sim.profiles import drift, leak, pump_running, pump_vibration_h2s, pump_vibration_hz
from edge.sim.site import ModbusSite, SimDetector, SimSwitch

log = logging.getLogger("edge.sim")


@dataclass(frozen=True)
class BandOptions:
    mqtt: str = "127.0.0.1:1883"
    topic: str = "tezuo/bands"
    sos_after_s: float | None = 90.0


def example_site(host: str, port: int, leak_after_s: float | None) -> ModbusSite:
    """The detectors of the example config: CH₄ %LEL (tenths), H₂S ppm (float32), O₂ % (tenths), and the
    refrigeration pump P-3's SCADA points beside the H₂S artefact on unit 4: vibration in Hz (tenths
    in holding register 0) and its run state (discrete input 0)."""
    methane = leak(leak_after_s, 120, 35.0, base=1.0) if leak_after_s is not None else drift(1.0, 0.5)
    return ModbusSite(
        [
            SimDetector(1, 0, "uint16", 0.1, methane),
            SimDetector(2, 4, "float32", 1.0, pump_vibration_h2s),
            SimDetector(3, 0, "uint16", 0.1, drift(20.9, 0.05)),
            SimDetector(4, 0, "uint16", 0.1, pump_vibration_hz),
        ],
        plc_unit=100,
        host=host,
        port=port,
        switches=[SimSwitch(4, 0, "discrete_input", pump_running)],
    )


async def serve(
    host: str,
    port: int,
    leak_after_s: float | None,
    seconds: float | None = None,
    bands: BandOptions | None = None,
) -> None:
    site = example_site(host, port, leak_after_s)
    await site.start()
    site.run_ticks(0.5)
    log.warning("site simulator on %s:%d (units 1-4 detectors, unit 100 PLC)", host, site.port)
    print(f"tezuo edge sim: Modbus TCP on {host}:{site.port}", flush=True)
    publishing = None
    if bands is not None:
        mqtt_host, _, mqtt_port = bands.mqtt.rpartition(":")
        publishing = asyncio.create_task(
            publish_bands(mqtt_host, int(mqtt_port), bands.topic, demo_bands(bands.sos_after_s))
        )
        print(
            f"tezuo edge sim: wristbands WB-01..03 on MQTT {bands.mqtt} topic {bands.topic}/<band>",
            flush=True,
        )
    coils: list[bool] = []
    started = datetime.now(UTC)
    try:
        while seconds is None or (datetime.now(UTC) - started).total_seconds() < seconds:
            now = [await site.coil(i) for i in range(8)]
            if now != coils:
                on = [i for i, v in enumerate(now) if v]
                print(f"{datetime.now(UTC):%H:%M:%S} PLC coils on: {on or 'none'}", flush=True)
                coils = now
            await asyncio.sleep(0.2)
    finally:
        if publishing is not None:
            publishing.cancel()
        await site.stop()
