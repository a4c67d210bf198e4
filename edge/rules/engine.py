"""The rule engine: tracked detections → rule hits → persistence filter → alarms due now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from edge.config import Rule, Zone
from edge.rules.catalog import CUTS_POWER, DEFAULT_TIER, RULES, Scene
from edge.rules.permits import PermitBook
from edge.rules.persistence import Persistence
from edge.rules.tracker import Tracker
from edge.vision.base import Detection


@dataclass
class Fired:
    kind: str
    tier: int
    camera: str
    t: float
    zone: Zone | None
    key: object
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def cut_power_coil(self) -> int | None:
        z = self.zone
        if self.kind in CUTS_POWER and z is not None and z.cut_power and z.power_coil is not None:
            return z.power_coil
        return None


# Rules whose sensible defaults differ from Rule's (hold 5 s in 10 s, cooldown 60 s).
DEFAULT_FILTER: dict[str, dict[str, float]] = {
    "loitering": {"hold_s": 120, "window_s": 150, "cooldown_s": 600},
    "guardian_absent": {"hold_s": 60, "window_s": 90, "cooldown_s": 300},
}


def default_rules() -> list[Rule]:
    return [
        Rule(name=name, tier=DEFAULT_TIER.get(name, 2), **DEFAULT_FILTER.get(name, {}))  # type: ignore[arg-type]
        for name in RULES
    ]


class RuleEngine:
    def __init__(
        self,
        camera: str,
        zones: list[Zone],
        rules: list[Rule],
        permits: PermitBook,
        gas_ok: Callable[[list[str]], bool] = lambda codes: True,
    ):
        self.camera = camera
        self.zones = [z for z in zones if z.camera == camera]
        unknown = [r.name for r in rules if r.name not in RULES]
        if unknown:
            raise ValueError(f"unknown rules {unknown}; known: {sorted(RULES)}")
        self.rules = {r.name: r for r in rules if r.enabled}
        self.filters = {r.name: Persistence(r.hold_s, r.window_s, r.cooldown_s) for r in self.rules.values()}
        self.permits = permits
        self.gas_ok = gas_ok
        self.tracker = Tracker()

    def process(self, t: float, now: datetime, detections: list[Detection]) -> list[Fired]:
        tracked = self.tracker.update(detections, t)
        scene = Scene(
            camera=self.camera,
            t=t,
            now=now,
            people=[d for d in tracked if d.label == "person"],
            objects=[d for d in tracked if d.label != "person"],
            zones=self.zones,
            permits=self.permits,
            gas_ok=self.gas_ok,
        )
        fired: list[Fired] = []
        for name, rule in self.rules.items():
            keep = self.filters[name]
            hits = {key: (zone, detail) for key, zone, detail in RULES[name](scene)}
            # Every key the filter knows gets a verdict this frame: absent from the hits means compliant now.
            for key in set(keep.states) | set(hits):
                if keep.observe(key, t, key in hits) and key in hits:
                    zone, detail = hits[key]
                    fired.append(Fired(name, rule.tier, self.camera, t, zone, key, detail))
            keep.forget_older_than(t)
        return fired
