"""Scripted concentration profiles: value = f(seconds since start, wall-clock time)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, time

Profile = Callable[[float, datetime], float]


def drift(base: float, amplitude: float, period_s: float = 600.0) -> Profile:
    """Normal background: a slow wave around `base`."""
    return lambda t, _now: max(0.0, base + amplitude * math.sin(2 * math.pi * t / period_s))


def leak(start_s: float, ramp_s: float, peak: float, base: float = 0.0) -> Profile:
    """A leak: background until `start_s`, then a linear ramp to `peak` over `ramp_s`, holding there."""

    def value(t: float, _now: datetime) -> float:
        if t < start_s:
            return base
        return base + (peak - base) * min(1.0, (t - start_s) / ramp_s)

    return value


def pump_vibration_h2s(t: float, now: datetime) -> float:
    """The seed's case: H₂S ppm jumping 0→28→0→15 every night 04:00–05:30 while the refrigeration
    pumps vibrate at 18 Hz (a sensor artefact, not a leak); 0 the rest of the day."""
    if not time(4, 0) <= now.time() < time(5, 30):
        return 0.0
    minute = (now.hour - 4) * 60 + now.minute
    return [0.0, 28.0, 0.0, 15.0][(minute // 5) % 4]


def pump_vibration_hz(t: float, now: datetime) -> float:
    """The pump's SCADA vibration series beside it: 18 Hz in the same window, 4 Hz otherwise."""
    return 18.0 if time(4, 0) <= now.time() < time(5, 30) else 4.0


def pump_running(t: float, now: datetime) -> float:
    """The pump's run state (1 running, 0 stopped): it starts at 03:55 and stops at 05:35."""
    return 1.0 if time(3, 55) <= now.time() < time(5, 35) else 0.0


PROFILES: dict[str, Callable[..., Profile]] = {
    "drift": drift,
    "leak": leak,
}
