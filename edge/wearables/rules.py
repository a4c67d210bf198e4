"""Wristband rules: SOS and falls at once; heart rate, heat stress and stillness through a persistence
filter per band; a band gone silent while a permit is active in its area.

A heart rate of 160 for five seconds (a climb up a ladder) is not an alarm; for thirty it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edge.config import Rule, Wearables
from edge.rules.permits import PermitBook
from edge.rules.persistence import Persistence
from edge.wearables.payload import BandMessage, Event, Telemetry, heat_index_c

STILL_M = 3  # plan pixels a band must move to count as moving when it has no accelerometer flag

DEFAULT_RULES = {
    "sos": Rule(name="sos", hold_s=0, cooldown_s=30, tier=1),
    "fall_detected": Rule(name="fall_detected", hold_s=0, cooldown_s=60, tier=1),
    "vitals_abnormal": Rule(name="vitals_abnormal", hold_s=30, window_s=40, cooldown_s=300, tier=2),
    "heat_stress": Rule(name="heat_stress", hold_s=60, window_s=90, cooldown_s=600, tier=2),
    "no_movement": Rule(name="no_movement", hold_s=0, cooldown_s=600, tier=1),
    "wearable_offline": Rule(name="wearable_offline", hold_s=0, cooldown_s=600, tier=2),
}


@dataclass(frozen=True)
class BandAlarm:
    kind: str
    tier: int
    band: str
    detail: dict[str, Any]
    message: BandMessage | None = None  # where it was (position, GPS, area) when it fired


@dataclass
class _Band:
    last_t: float = 0.0
    last_seen: float = 0.0  # node clock
    area: str | None = None
    xy: tuple[int, int] | None = None
    moved_at: float = 0.0
    still_alarmed: bool = False
    offline_alarmed: bool = False
    last_event: dict[str, float] = field(default_factory=dict)


class WearableMonitor:
    def __init__(self, config: Wearables, permits: PermitBook):
        self.config = config
        self.permits = permits
        self.rules = {**DEFAULT_RULES, **{r.name: r for r in config.rules}}
        step = 2 * config.report_every_s
        self.filters = {
            kind: Persistence(r.hold_s, r.window_s, r.cooldown_s, max_step_s=step)
            for kind, r in self.rules.items()
            if kind in ("vitals_abnormal", "heat_stress")
        }
        self.bands: dict[str, _Band] = {}

    def observe(self, msg: BandMessage, t: float, seen: float) -> list[BandAlarm]:
        """One message at band time `t` (its ts) received at node time `seen`; the alarms due now."""
        b = self.bands.setdefault(msg.band, _Band(moved_at=t))
        b.last_seen, b.offline_alarmed = seen, False
        if msg.area:
            b.area = msg.area
        out: list[BandAlarm] = []
        if isinstance(msg, Event):
            kind = "sos" if msg.event == "sos" else "fall_detected"
            out += self._once(b, kind, msg, t, {"event": msg.event})
            b.last_t = max(b.last_t, t)
            return out
        out += self._vitals(msg, t)
        out += self._stillness(b, msg, t)
        b.last_t = max(b.last_t, t)
        return out

    def _enabled(self, kind: str) -> Rule | None:
        rule = self.rules[kind]
        return rule if rule.enabled else None

    def _once(
        self, b: _Band, kind: str, msg: BandMessage, t: float, detail: dict[str, Any]
    ) -> list[BandAlarm]:
        """An event alarms at once; a band resending the same press within the cooldown is one alarm."""
        rule = self._enabled(kind)
        if rule is None or t - b.last_event.get(kind, -1e18) < rule.cooldown_s:
            return []
        b.last_event[kind] = t
        return [BandAlarm(kind, rule.tier, msg.band, detail, msg)]

    def _vitals(self, msg: Telemetry, t: float) -> list[BandAlarm]:
        c = self.config
        out: list[BandAlarm] = []
        checks: dict[str, tuple[bool, dict[str, Any]]] = {}
        if msg.hr is not None:
            bad = msg.hr > c.heart_rate_high or 0 < msg.hr < c.heart_rate_low
            checks["vitals_abnormal"] = (
                bad,
                {"heart_rate": msg.hr, "band": [c.heart_rate_low, c.heart_rate_high]},
            )
        hot: dict[str, Any] = {}
        if msg.amb_c is not None and msg.rh is not None:
            hot["heat_index_c"] = round(heat_index_c(msg.amb_c, msg.rh), 1)
            hot |= {"ambient_temp_c": msg.amb_c, "humidity_pct": msg.rh}
        if msg.skin_c is not None:
            hot["skin_temp_c"] = msg.skin_c
        if hot:
            bad = (
                hot.get("heat_index_c", -99) >= c.heat_index_c
                or hot.get("skin_temp_c", 0) >= c.skin_temp_high_c
            )
            checks["heat_stress"] = (bad, hot)
        for kind, (bad, detail) in checks.items():
            rule = self._enabled(kind)
            if rule is not None and self.filters[kind].observe(msg.band, t, bad):
                out.append(BandAlarm(kind, rule.tier, msg.band, {**detail, "held_s": rule.hold_s}, msg))
        return out

    def _stillness(self, b: _Band, msg: Telemetry, t: float) -> list[BandAlarm]:
        xy = (msg.pos.x, msg.pos.y) if msg.pos else None
        moved = msg.moving
        if moved is None and xy is not None and b.xy is not None:
            moved = abs(xy[0] - b.xy[0]) + abs(xy[1] - b.xy[1]) >= STILL_M
        if xy is not None:
            b.xy = xy
        if moved:
            b.moved_at, b.still_alarmed = t, False
            return []
        rule = self._enabled("no_movement")
        if rule is None or b.still_alarmed or t - b.moved_at < self.config.still_s:
            return []
        b.still_alarmed = True
        return [BandAlarm("no_movement", rule.tier, msg.band, {"still_s": round(t - b.moved_at)}, msg)]

    def offline(self, now: float, when: Any) -> list[BandAlarm]:
        """Bands silent for `offline_s` while a permit is active in their last area (any of the node's
        areas when the band never said where it was): once per silence."""
        rule = self._enabled("wearable_offline")
        if rule is None:
            return []
        out = []
        for band, b in self.bands.items():
            if b.offline_alarmed or now - b.last_seen < self.config.offline_s:
                continue
            areas = [b.area] if b.area else sorted({p.area_code for p in self.permits.permits})
            active = [p.number for a in areas for p in self.permits.active(a, when)]
            if not active:
                continue
            b.offline_alarmed = True
            out.append(
                BandAlarm(
                    "wearable_offline",
                    rule.tier,
                    band,
                    {"silent_s": round(now - b.last_seen), "permits": active, "area": b.area},
                )
            )
        return out
