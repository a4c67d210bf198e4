"""The site simulator's Modbus side: a pymodbus TCP server holding gas detectors, SCADA points and a
PLC's coils.

Each detector (or SCADA register point) is a unit (device id) whose holding registers carry its
scaled value, updated from its profile every tick; a switch (a pump's run state) is a coil or a
discrete input set from its profile; the PLC is another unit with coils the edge node writes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pymodbus import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from edge.modbus.registers import encode, word_count
from edge.sim.profiles import Profile

COILS = 64
REGISTERS = 32


@dataclass
class SimDetector:
    unit: int
    address: int
    type: str
    scale: float  # the edge reads raw × scale, so the simulator stores value / scale
    profile: Profile


@dataclass
class SimSwitch:
    """A bit the SCADA side exposes: on while the profile is above 0.5 (a pump's run state)."""

    unit: int
    address: int
    kind: str  # coil | discrete_input
    profile: Profile


BIT_WRITE = {"coil": 5, "discrete_input": 2}  # the function code whose table the server sets


def _unit(unit: int) -> SimDevice:
    return SimDevice(
        id=unit,
        simdata=(
            [SimData(0, count=COILS, values=False, datatype=DataType.BITS)],
            [SimData(0, count=8, values=False, datatype=DataType.BITS)],
            [SimData(0, count=REGISTERS, values=0, datatype=DataType.REGISTERS)],
            [SimData(0, count=REGISTERS, values=0, datatype=DataType.REGISTERS)],
        ),
    )


class ModbusSite:
    """Start, stop (to test reconnection) and script a loopback Modbus server."""

    def __init__(
        self,
        detectors: list[SimDetector],
        plc_unit: int = 100,
        host: str = "127.0.0.1",
        port: int = 0,
        framer: str = "socket",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        switches: list[SimSwitch] | None = None,
    ):
        self.detectors = detectors
        self.switches = switches or []
        self.plc_unit = plc_unit
        self.host = host
        self.port = port
        self.framer = FramerType.RTU if framer == "rtu" else FramerType.SOCKET
        self.clock = clock
        self.server: ModbusTcpServer | None = None
        self.started_at = clock()
        self._ticker: asyncio.Task[None] | None = None

    async def start(self) -> int:
        units = sorted({d.unit for d in self.detectors} | {s.unit for s in self.switches} | {self.plc_unit})
        self.server = ModbusTcpServer(
            [_unit(u) for u in units], address=(self.host, self.port), framer=self.framer
        )
        await self.server.serve_forever(background=True)
        transport = self.server.transport
        assert transport is not None
        self.port = transport.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        await self.tick()
        return self.port

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self.server is not None:
            await self.server.shutdown()
            self.server = None

    async def tick(self) -> None:
        """Write every detector's current value (from its profile) into its registers."""
        assert self.server is not None
        now = self.clock()
        t = (now - self.started_at).total_seconds()
        for d in self.detectors:
            await self.set_value(d, d.profile(t, now))
        for sw in self.switches:
            await self.set_bit(sw, sw.profile(t, now) > 0.5)

    async def set_bit(self, sw: SimSwitch, on: bool) -> None:
        assert self.server is not None
        await self.server.context.async_setValues(sw.unit, BIT_WRITE[sw.kind], sw.address, [on])

    async def set_value(self, d: SimDetector, value: float) -> None:
        assert self.server is not None
        words = encode(value / d.scale, d.type)
        assert len(words) == word_count(d.type)
        await self.server.context.async_setValues(d.unit, 16, d.address, words)

    def run_ticks(self, every_s: float = 0.5) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(every_s)
                await self.tick()

        self._ticker = asyncio.create_task(loop())

    async def coil(self, address: int, unit: int | None = None) -> bool:
        """What the PLC holds in a coil (read on the server side, not through the edge's client)."""
        assert self.server is not None
        bits = await self.server.context.async_getValues(unit or self.plc_unit, 1, address, 1)
        assert isinstance(bits, list)
        return bool(bits[0])
