"""SCADA points over Modbus: poll each on its schedule through its bus's hub, queue the sample.

The samples go up to `POST /api/analytics/scada/samples` and land where the CSV import puts its
series, so the gas root-cause analysis correlates them like any other SCADA series.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from backend.core.ids import uuid7
from edge.config import ScadaPoint
from edge.modbus.hub import BusDown, ModbusHub
from edge.modbus.registers import decode, word_count
from edge.outbox import Outbox

log = logging.getLogger("edge.scada")


class ScadaPoller:
    def __init__(
        self,
        points: list[ScadaPoint],
        hubs: dict[str, ModbusHub],
        outbox: Outbox,
        clock: Callable[[], datetime],
    ):
        self.points = points
        self.hubs = hubs
        self.outbox = outbox
        self.clock = clock
        self.latest: dict[str, tuple[datetime, float]] = {}
        self.misses: dict[str, int] = {p.tag: 0 for p in points}

    async def read(self, p: ScadaPoint) -> float:
        """The point's current value: a bit as 1.0 / 0.0, registers decoded and scaled."""
        hub = self.hubs[p.bus]
        if p.source == "coil":
            return 1.0 if (await hub.read_coils(p.unit, p.address))[0] else 0.0
        if p.source == "discrete_input":
            return 1.0 if (await hub.read_discrete_inputs(p.unit, p.address))[0] else 0.0
        words = await hub.read_registers(p.unit, p.address, word_count(p.type), p.source)
        return round(decode(words, p.type, p.word_order) * p.scale, 6)

    async def poll(self, p: ScadaPoint) -> float | None:
        """One sample of one point, queued for the uplink; None when its bus is down."""
        try:
            value = await self.read(p)
        except BusDown:
            self.misses[p.tag] += 1
            return None
        at = self.clock()
        self.latest[p.tag] = (at, value)
        body = {"tag": p.tag, "at": at.isoformat(), "value": value}
        self.outbox.put("scada", str(uuid7(int(at.timestamp() * 1000))), body)
        return value

    async def run_one(self, p: ScadaPoint) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            await self.poll(p)
            next_at += p.interval_s
            now = loop.time()
            if next_at < now:  # a slow bus: skip late rounds rather than pile them up
                next_at = now + p.interval_s
            await asyncio.sleep(next_at - now)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for p in self.points:
                tg.create_task(self.run_one(p))
