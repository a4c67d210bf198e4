"""Scripted wristbands for the site simulator: they publish the documented payload to MQTT.

Three bands on the demo plan (1600×1000 px): WB-01 walks a loop round 聚合装置区; WB-02 walks the
post-processing hall and presses SOS after `sos_after_s`; WB-03 works beside the thermal-oil
furnace house in 37 °C and 70 % humidity (heat stress), heart rate climbing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("edge.sim")

Point = tuple[float, float]


@dataclass(frozen=True)
class ScriptedBand:
    band: str
    path: tuple[Point, ...]  # a closed loop in plan pixels
    speed_px_s: float = 2.5  # 0.5 m per pixel: a slow walk
    heart_rate: int = 84
    ambient_c: float = 26.0
    humidity_pct: float = 55.0
    sos_after_s: float | None = None
    heat: bool = False  # ambient and heart rate climb over the first minutes

    def at(self, t: float) -> Point:
        """Where the band is after walking the loop for `t` seconds."""
        legs = list(zip(self.path, [*self.path[1:], self.path[0]], strict=True))
        lengths = [math.dist(a, b) for a, b in legs]
        if self.speed_px_s == 0 or sum(lengths) == 0:
            return self.path[0]
        d = (t * self.speed_px_s) % sum(lengths)
        for (a, b), n in zip(legs, lengths, strict=True):
            if d <= n:
                f = d / n if n else 0.0
                return a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f
            d -= n
        return self.path[0]

    def telemetry(self, t: float, ts: float) -> dict[str, Any]:
        x, y = self.at(t)
        ramp = min(t / 120.0, 1.0) if self.heat else 0.0
        wobble = math.sin(t / 7.0)
        return {
            "type": "telemetry",
            "band": self.band,
            "ts": round(ts, 3),
            "pos": {"x": round(x), "y": round(y)},
            "hr": round(self.heart_rate + 4 * wobble + 40 * ramp),
            "skin_c": round(33.8 + 0.3 * wobble + 3.5 * ramp, 1),
            "amb_c": round(self.ambient_c + 11 * ramp, 1),
            "rh": round(self.humidity_pct + 15 * ramp, 1),
            "battery": max(5, 96 - int(t / 600)),
            "moving": self.speed_px_s > 0,
        }


def demo_bands(sos_after_s: float | None = 90.0) -> list[ScriptedBand]:
    return [
        ScriptedBand("WB-01", ((470, 80), (680, 80), (770, 140), (770, 280), (470, 280))),
        ScriptedBand("WB-02", ((640, 420), (770, 420), (770, 610), (640, 610)), sos_after_s=sos_after_s),
        ScriptedBand(
            "WB-03",
            ((900, 440), (960, 440), (960, 520)),
            speed_px_s=0.8,
            heart_rate=96,
            ambient_c=30.0,
            humidity_pct=60.0,
            heat=True,
        ),
    ]


async def publish_bands(
    host: str,
    port: int,
    topic: str,
    bands: list[ScriptedBand],
    *,
    period_s: float = 2.0,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Publish every band's telemetry each period (and each scripted SOS once), forever; a broker
    that is down is logged once and retried."""
    import aiomqtt

    started = now()
    pressed: set[str] = set()
    failing = False
    while True:
        try:
            async with aiomqtt.Client(host, port) as client:
                if failing:
                    log.warning("wristbands: MQTT %s:%d is back", host, port)
                failing = False
                while True:
                    ts = now()
                    t = (ts - started).total_seconds()
                    for b in bands:
                        await client.publish(
                            f"{topic}/{b.band}", json.dumps(b.telemetry(t, ts.timestamp())), qos=1
                        )
                        if b.sos_after_s is not None and t >= b.sos_after_s and b.band not in pressed:
                            pressed.add(b.band)
                            x, y = b.at(t)
                            sos = {"type": "event", "event": "sos", "band": b.band, "ts": ts.timestamp(),
                                   "pos": {"x": round(x), "y": round(y)}}  # fmt: skip
                            await client.publish(f"{topic}/{b.band}", json.dumps(sos), qos=1)
                            print(f"{ts:%H:%M:%S} wristband {b.band}: SOS pressed", flush=True)
                    await asyncio.sleep(period_s)
        except aiomqtt.MqttError as exc:
            if not failing:
                log.warning("wristbands: MQTT %s:%d unavailable (%s); retrying", host, port, exc)
                print(f"wristbands: no MQTT broker on {host}:{port} yet; retrying", flush=True)
            failing = True
            await asyncio.sleep(5)
