"""False alarms and detection delay of the rule engine on the scripted shift (ground truth in the scene)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from edge.config import Rule, Zone
from edge.rules.engine import RuleEngine, default_rules
from edge.rules.permits import PermitBook
from edge.sim.scenes import Scene

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
ZONES = [
    Zone(
        code="Z-HEIGHT",
        area_code="SA-A1",
        camera="cam",
        kind="height",
        polygon=[(60, 200), (220, 200), (220, 300), (60, 300)],
    )
]


@dataclass
class Score:
    alarms: int
    false_alarms: int
    violations: int
    caught: int
    delays_s: list[float]
    us_per_frame: float

    @property
    def false_rate(self) -> float:
        return self.false_alarms / self.alarms if self.alarms else 0.0


def score(scene: Scene, hold_s: float, window_s: float, fps: float = 2.0) -> Score:
    # Every rule runs (the overhead is the whole engine's); the scene can only break the PPE ones.
    ppe = {"no_helmet", "no_harness"}
    rules = [r for r in default_rules() if r.name not in ppe] + [
        Rule(name=n, hold_s=hold_s, window_s=window_s, cooldown_s=120) for n in sorted(ppe)
    ]
    engine = RuleEngine("cam", ZONES, rules, PermitBook(), lambda codes: True)
    expected = [s for s in scene.segments if s.expect]
    caught: dict[int, float] = {}
    alarms = false = 0
    spent = 0.0
    frames = int(scene.duration_s * fps)
    for n in range(frames):
        t = n / fps
        detections = scene.at(t)
        start = time.perf_counter()
        fired = engine.process(t, NOW, detections)
        spent += time.perf_counter() - start
        for f in fired:
            alarms += 1
            match = next(
                (
                    i
                    for i, s in enumerate(expected)
                    if s.id == f.key and s.expect == f.kind and s.from_s <= t <= s.to_s + 1
                ),
                None,
            )
            if match is None:
                false += 1
            else:
                caught.setdefault(match, t - expected[match].from_s)
    return Score(alarms, false, len(expected), len(caught), sorted(caught.values()), spent / frames * 1e6)
