"""The persistence filter on the scripted shift: glitches a detector makes are not alarms, real ones are."""

from __future__ import annotations

from edge.bench.alarms import score
from edge.rules.persistence import Persistence
from edge.sim.scenes import shift


def test_the_filter_turns_the_shift_glitches_away_and_keeps_every_real_violation():
    scene = shift(900)
    filtered, raw = score(scene, hold_s=5, window_s=10), score(scene, hold_s=0, window_s=1)
    assert raw.false_alarms > 0, "the scene has glitches a filterless engine alarms on"
    assert filtered.false_alarms == 0 and filtered.caught == filtered.violations > 0


def test_hold_adds_up_within_the_window_and_cooldown_silences_repeats():
    p = Persistence(hold_s=2, window_s=4, cooldown_s=10)
    # 2 frames/s: violating over 0–1 s, compliant until 2.5 s, violating again: 2 s add up at t = 3
    verdicts = [p.observe("a", t / 2, v) for t, v in enumerate([1, 1, 1, 0, 0, 1, 1, 1])]
    assert verdicts.index(True) == 6 and verdicts.count(True) == 1
    assert not any(p.observe("a", 4 + t / 2, True) for t in range(10))  # cooling down
    assert p.observe("b", 0, True) is False  # another person has their own state
