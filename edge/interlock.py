"""PLC interlocks: the on-site alarm coil and per-zone power cuts, written with read-back verification.

Fail-safe (docs/edge.md "Interlocks"): the node only ever *sets* a power-cut coil on its own; it
never clears one by itself. A cut stays latched, across node restarts, until an authorised person
resets it (`Interlock.reset`, driven by the API). If the write or the read-back fails the node
raises `interlock_fault` in its health and retries on the next alarm; the PLC program must treat
loss of the node's heartbeat as its own decision (wired by the operator, not by this code).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field

from edge.config import Plc
from edge.modbus.hub import BusDown, ModbusHub

log = logging.getLogger("edge.interlock")


class InterlockFault(Exception):
    """The coil did not read back as written (or the bus is down)."""


@dataclass
class Action:
    coil: int
    value: bool
    reason: str
    dry_run: bool
    at: float = field(default_factory=time.monotonic)


class Interlock:
    def __init__(self, plc: Plc, hub: ModbusHub):
        self.plc = plc
        self.hub = hub
        # What was written (or would have been, in dry-run): the latest writes, bounded on a long run.
        self.actions: deque[Action] = deque(maxlen=1000)
        self.latched: set[int] = set()  # power-cut coils set and not yet reset through the API
        self.fault: str | None = None
        self._alarm_until = 0.0

    async def set_coil(self, coil: int, value: bool, reason: str) -> Action:
        """Write a coil and read it back; in dry-run only log and record what would be written."""
        action = Action(coil, value, reason, self.plc.dry_run)
        self.actions.append(action)
        if self.plc.dry_run:
            log.warning("interlock dry-run: coil %d ← %s (%s)", coil, value, reason)
            return action
        try:
            await self.hub.write_coil(self.plc.unit, coil, value)
            (read,) = await self.hub.read_coils(self.plc.unit, coil, 1)
        except BusDown as exc:
            self.fault = f"coil {coil}: {exc}"
            raise InterlockFault(self.fault) from exc
        if read != value:
            self.fault = f"coil {coil} reads {read} after writing {value}"
            raise InterlockFault(self.fault)
        self.fault = None
        log.warning("interlock: coil %d ← %s verified (%s)", coil, value, reason)
        return action

    async def cut_power(self, coil: int, reason: str) -> Action:
        action = await self.set_coil(coil, True, reason)
        self.latched.add(coil)
        return action

    async def reset(self, coil: int, by: str) -> Action:
        """Clear a latched power cut: only called for a reset an authorised person made through the API."""
        action = await self.set_coil(coil, False, f"reset by {by}")
        self.latched.discard(coil)
        return action

    async def sound_alarm(self, reason: str) -> Action | None:
        """Tier-1: switch the on-site audible/visual alarm on (and keep it on for alarm_hold_s)."""
        if self.plc.alarm_coil is None:
            return None
        self._alarm_until = time.monotonic() + self.plc.alarm_hold_s
        return await self.set_coil(self.plc.alarm_coil, True, reason)

    async def quiet_alarm_when_due(self) -> Action | None:
        if self.plc.alarm_coil is None or not self._alarm_until or time.monotonic() < self._alarm_until:
            return None
        self._alarm_until = 0.0
        return await self.set_coil(self.plc.alarm_coil, False, "alarm hold elapsed")
