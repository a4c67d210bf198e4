"""Hybrid logical clocks: a device's own total order that survives offline hours and bad clocks."""

from __future__ import annotations

import msgspec

# Fixed widths make the string form sort exactly like the (wall, counter, node) tuple.
_WALL_DIGITS = 13
_COUNTER_DIGITS = 5
MAX_COUNTER = 10**_COUNTER_DIGITS - 1


class Hlc(msgspec.Struct, frozen=True, order=True):
    """A timestamp: wall-clock ms, a counter for events in the same ms, the device (node) id."""

    wall: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall:0{_WALL_DIGITS}d}:{self.counter:0{_COUNTER_DIGITS}d}:{self.node}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        """Inverse of `str()`; raises ValueError on anything else."""
        wall, counter, node = text.split(":", 2)
        if len(wall) != _WALL_DIGITS or len(counter) != _COUNTER_DIGITS or not node:
            raise ValueError(f"not an HLC: {text!r}")
        if not (wall.isdigit() and counter.isdigit()):
            raise ValueError(f"not an HLC: {text!r}")
        return cls(int(wall), int(counter), node)


class HlcClock:
    """A device's clock: every `tick` is later than the one before, even if the wall clock steps back.

    Devices deliberately do not adopt the server's time: the server corrects each device's
    skew when it pushes (sync.rules.clock_skew), and mixing in server time would correct twice.
    """

    def __init__(self, node: str, last: Hlc | None = None):
        self.node = node
        self.last = last or Hlc(0, 0, node)

    def tick(self, now_ms: int) -> Hlc:
        """A timestamp greater than every one issued before, close to `now_ms`."""
        if now_ms > self.last.wall:
            self.last = Hlc(now_ms, 0, self.node)
        elif self.last.counter < MAX_COUNTER:
            self.last = Hlc(self.last.wall, self.last.counter + 1, self.node)
        else:  # 100,000 events in one ms: borrow the next millisecond
            self.last = Hlc(self.last.wall + 1, 0, self.node)
        return self.last
