"""Generated gas + SCADA data for the root-cause analysis: the seed's night-time pump-vibration
case and a genuine leak. Used by the tests, the demo and `tezuo bench analytics`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

LOCAL = timedelta(hours=8)  # the site's clock (policy time.utc_offset_hours)


@dataclass
class Scenario:
    since: datetime
    until: datetime
    readings: list[tuple[datetime, float]]
    scada: dict[str, list[tuple[datetime, float]]]


def _in_local(at: datetime, start: tuple[int, int], end: tuple[int, int]) -> bool:
    local = at + LOCAL
    minutes = local.hour * 60 + local.minute
    return start[0] * 60 + start[1] <= minutes < end[0] * 60 + end[1]


def pump(
    since: datetime,
    until: datetime,
    name: str,
    on: tuple[int, int],
    off: tuple[int, int],
    hz: float,
    seed: int,
) -> dict[str, list[tuple[datetime, float]]]:
    """A pump that runs every night between local `on` and `off`, vibrating at ~`hz` while it runs."""
    rng = random.Random(seed)
    running, vibration = [], []
    at = since
    while at < until:
        state = 1.0 if _in_local(at, on, off) else 0.0
        running.append((at, state))
        vibration.append((at, round(hz + rng.uniform(-0.6, 0.6) if state else rng.uniform(0.1, 0.5), 2)))
        at += timedelta(minutes=5)
    return {f"{name}.running": running, f"{name}.vibration_hz": vibration}


def night_vibration(since: datetime, days: int = 7, seed: int = 7) -> Scenario:
    """H₂S (ppm) near 0, jumping 0→28→0→15 between 04:00 and 05:30 local every night while pump
    P-3 runs (03:55–05:35); a second pump P-5 runs in the afternoon and has nothing to do with it."""
    rng = random.Random(seed)
    until = since + timedelta(days=days)
    readings = []
    at = since
    while at < until:
        value = round(max(0.0, rng.gauss(0.3, 0.2)), 2)
        if _in_local(at, (4, 0), (5, 30)) and rng.random() < 0.35:
            value = float(rng.choice([15, 18, 22, 28]))
        readings.append((at, value))
        at += timedelta(minutes=1)
    scada = pump(since, until, "P-3", (3, 55), (5, 35), 18.0, seed + 1)
    scada |= pump(since, until, "P-5", (14, 0), (16, 0), 25.0, seed + 2)
    return Scenario(since, until, readings, scada)


def leak(since: datetime, days: int = 7, seed: int = 11) -> Scenario:
    """The same plant (P-3 still runs at night), but on the last day from 10:00 local the reading
    ramps up 0.15 ppm a minute and stays up: a real release, not interference."""
    rng = random.Random(seed)
    until = since + timedelta(days=days)
    start = since + timedelta(days=days - 1, hours=10)  # 10:00 local on the last day: since is local midnight
    readings = []
    at = since
    while at < until:
        value = max(0.0, rng.gauss(0.3, 0.2))
        if at >= start:
            value += min(40.0, (at - start).total_seconds() / 60 * 0.15)
        readings.append((at, round(value, 2)))
        at += timedelta(minutes=1)
    return Scenario(since, until, readings, pump(since, until, "P-3", (3, 55), (5, 35), 18.0, seed + 1))
