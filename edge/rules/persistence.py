"""The persistence filter: a violation must add up to `hold_s` within `window_s`, per key, then cool down.

A worker adjusting a harness for two seconds never adds up to five; one who stays unclipped does,
once, and is not alarmed again for the cooldown.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

MAX_STEP_S = 1.0  # a frame stands for at most this much time (a stalled camera adds nothing)


@dataclass
class _State:
    samples: deque[tuple[float, float]] = field(default_factory=deque)  # (t, seconds violating)
    last_t: float | None = None
    fired_at: float | None = None


class Persistence:
    def __init__(self, hold_s: float, window_s: float, cooldown_s: float, max_step_s: float = MAX_STEP_S):
        self.hold_s, self.window_s, self.cooldown_s = hold_s, window_s, cooldown_s
        self.max_step_s = max_step_s  # a wristband reporting every few seconds: each report counts that long
        self.states: dict[object, _State] = {}

    def observe(self, key: object, t: float, violating: bool) -> bool:
        """Feed one frame's verdict for `key`; True exactly when an alarm is due now."""
        s = self.states.setdefault(key, _State())
        step = 0.0 if s.last_t is None else min(max(t - s.last_t, 0.0), self.max_step_s)
        s.last_t = t
        if violating:
            s.samples.append((t, step))
        while s.samples and s.samples[0][0] < t - self.window_s:
            s.samples.popleft()
        if not violating:
            return False
        if s.fired_at is not None and t - s.fired_at < self.cooldown_s:
            return False
        if sum(dt for _t, dt in s.samples) + 1e-9 >= self.hold_s:
            s.fired_at = t
            s.samples.clear()
            return True
        return False

    def forget_older_than(self, t: float) -> None:
        """Drop keys (people who left) silent for longer than window and cooldown."""
        horizon = max(self.window_s, self.cooldown_s)
        for key in [k for k, s in self.states.items() if s.last_t is not None and s.last_t < t - horizon]:
            del self.states[key]
