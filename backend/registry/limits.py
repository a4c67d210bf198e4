"""Client-side guards for an outside service: a strict sliding-window rate limit and a circuit breaker."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most `limit` calls in any `window` seconds, as the receiver counts them.

    A token bucket lets twice its rate through a window that straddles a refill; gateways
    count a sliding window, so this keeps the send times of the last `limit` calls and waits
    until the oldest is a full window (plus `margin` for network jitter) in the past.
    `limit <= 0` means no limit.
    """

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.limit, self.window, self.margin, self.clock = limit, window, margin, clock
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self.limit <= 0:
            return
        async with self._lock:
            while len(self._sent) >= self.limit:
                wait = self._sent[0] + self.window + self.margin - self.clock()
                if wait <= 0:
                    self._sent.popleft()
                    continue
                await asyncio.sleep(wait)
            self._sent.append(self.clock())


class CircuitOpen(Exception):
    """The breaker is open: the service failed repeatedly; calls fail fast until the cool-down ends."""


class CircuitBreaker:
    """Closed → open after `threshold` consecutive failures → half-open after `cooldown` seconds
    (one trial call) → closed on its success, open again on its failure."""

    def __init__(
        self, threshold: int = 5, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic
    ):
        self.threshold, self.cooldown, self.clock = threshold, cooldown, clock
        self.failures = 0
        self.opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.cooldown else "open"

    def before(self) -> None:
        """Raise `CircuitOpen` unless a call may go out now."""
        state = self.state
        if state == "open" or (state == "half_open" and self._trial):
            raise CircuitOpen(f"registry circuit open after {self.failures} consecutive failures")
        if state == "half_open":
            self._trial = True

    def success(self) -> None:
        self.failures, self.opened_at, self._trial = 0, None, False

    def failure(self) -> None:
        self.failures += 1
        self._trial = False
        if self.failures >= self.threshold:
            self.opened_at = self.clock()
