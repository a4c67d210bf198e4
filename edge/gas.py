"""Gas detectors: poll each on its schedule through its bus's hub, scale, queue the reading."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from backend.core.ids import uuid7
from edge.config import GasDetector
from edge.modbus.hub import BusDown, ModbusHub
from edge.modbus.registers import decode, to_reading, word_count
from edge.outbox import Outbox

log = logging.getLogger("edge.gas")


@dataclass
class Latest:
    """The last good reading of a detector (for health reports and confined-space entry)."""

    at: datetime
    value: float
    lel_percent: float | None
    o2_percent: float | None


class GasPoller:
    def __init__(
        self,
        detectors: list[GasDetector],
        hubs: dict[str, ModbusHub],
        outbox: Outbox,
        clock: Callable[[], datetime],
        on_reading: Callable[[GasDetector, Latest], None] | None = None,
    ):
        self.detectors = detectors
        self.hubs = hubs
        self.outbox = outbox
        self.clock = clock
        self.on_reading = on_reading
        self.latest: dict[str, Latest] = {}
        self.misses: dict[str, int] = {d.code: 0 for d in detectors}

    async def poll(self, d: GasDetector) -> Latest | None:
        """One reading of one detector, queued for the uplink; None when its bus is down."""
        try:
            words = await self.hubs[d.bus].read_registers(d.unit, d.address, word_count(d.type), d.register)
        except BusDown:
            self.misses[d.code] += 1
            return None
        value = decode(words, d.type, d.word_order) * d.scale
        lel, o2 = to_reading(d, value)
        at = self.clock()
        reading = Latest(at, value, lel, o2)
        self.latest[d.code] = reading
        body: dict[str, str | float] = {"detector": d.code, "measured_at": at.isoformat()}
        if lel is not None:
            body["lel_percent"] = lel
        if o2 is not None:
            body["o2_percent"] = o2
        # The id is the node's; the server has one reading per detector and instant.
        self.outbox.put("reading", str(uuid7(int(at.timestamp() * 1000))), body)
        if self.on_reading is not None:
            self.on_reading(d, reading)
        return reading

    async def run_one(self, d: GasDetector) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            await self.poll(d)
            next_at += d.interval_s
            # A slow bus must not make polls pile up: skip the rounds that are already late.
            now = loop.time()
            if next_at < now:
                next_at = now + d.interval_s
            await asyncio.sleep(next_at - now)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for d in self.detectors:
                tg.create_task(self.run_one(d))
