"""One object owns a Modbus bus: one lock, a quiet gap between frames, reconnect with backoff.

The Home Assistant hub discipline: every request on a bus goes through its lock (an RS-485 line
carries one frame at a time, and many TCP gateways serve one request at a time); an error is
logged once, then quietly until the bus recovers, which is logged too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pymodbus import FramerType
from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from edge.config import Bus

log = logging.getLogger("edge.modbus")

Client = AsyncModbusTcpClient | AsyncModbusSerialClient


class BusDown(Exception):
    """The bus did not answer (or is backing off after it did not); the caller skips this round."""


class DeviceRefused(BusDown):
    """A device answered with a Modbus exception (wrong address, unit busy): the bus itself is fine."""


class ModbusHub:
    def __init__(self, bus: Bus):
        self.bus = bus
        self.lock = asyncio.Lock()
        self._client: Client | None = None
        self._last_frame = 0.0
        self._retry_at = 0.0
        self._backoff = bus.backoff_initial_s
        self.failing: str | None = None  # the error while the bus is down, None while it is up
        self.errors = 0

    def _make_client(self) -> Client:
        framer = FramerType.RTU if self.bus.framer == "rtu" else FramerType.SOCKET
        # retries=0 and no automatic reconnect: this hub owns retrying, with its own backoff.
        if self.bus.transport == "serial":
            return AsyncModbusSerialClient(
                self.bus.serial_port,
                framer=framer,
                baudrate=self.bus.baudrate,
                timeout=self.bus.timeout_s,
                retries=0,
                reconnect_delay=0,
            )
        return AsyncModbusTcpClient(
            self.bus.host,
            port=self.bus.port,
            framer=framer,
            timeout=self.bus.timeout_s,
            retries=0,
            reconnect_delay=0,
        )

    async def call(self, request: Callable[[Client], Awaitable[Any]]) -> Any:
        """Run one request under the bus lock; raise BusDown when it (or the bus) fails."""
        async with self.lock:
            now = time.monotonic()
            if now < self._retry_at:
                raise BusDown(self.failing or "backing off")
            gap = self._last_frame + self.bus.frame_delay_ms / 1000 - now
            if gap > 0:
                await asyncio.sleep(gap)
            try:
                if self._client is None or not self._client.connected:
                    self._close()
                    self._client = self._make_client()
                    if not await self._client.connect():
                        raise ConnectionError(f"cannot connect to {self._where()}")
                response = await request(self._client)
            except (TimeoutError, ModbusException, OSError) as exc:
                self._failed(exc)
                raise BusDown(str(exc)) from exc
            finally:
                self._last_frame = time.monotonic()
            self._recovered()
            if response.isError():
                self.errors += 1
                raise DeviceRefused(f"exception response {response}")
            return response

    def _where(self) -> str:
        b = self.bus
        return b.serial_port if b.transport == "serial" else f"{b.host}:{b.port}"

    def _failed(self, exc: BaseException) -> None:
        self.errors += 1
        self._close()
        if self.failing is None:
            log.error("modbus bus %s (%s) failed: %s", self.bus.name, self._where(), exc)
        self.failing = str(exc) or type(exc).__name__
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.bus.backoff_max_s)

    def _recovered(self) -> None:
        if self.failing is not None:
            log.warning("modbus bus %s (%s) recovered", self.bus.name, self._where())
        self.failing = None
        self._backoff = self.bus.backoff_initial_s
        self._retry_at = 0.0

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def read_registers(self, unit: int, address: int, count: int, kind: str = "holding") -> list[int]:
        async def read(c: Client) -> Any:
            if kind == "input":
                return await c.read_input_registers(address, count=count, device_id=unit)
            return await c.read_holding_registers(address, count=count, device_id=unit)

        response = await self.call(read)
        return list(response.registers)

    async def read_coils(self, unit: int, address: int, count: int = 1) -> list[bool]:
        response = await self.call(lambda c: c.read_coils(address, count=count, device_id=unit))
        return list(response.bits[:count])

    async def read_discrete_inputs(self, unit: int, address: int, count: int = 1) -> list[bool]:
        response = await self.call(lambda c: c.read_discrete_inputs(address, count=count, device_id=unit))
        return list(response.bits[:count])

    async def write_coil(self, unit: int, address: int, value: bool) -> None:
        await self.call(lambda c: c.write_coil(address, value, device_id=unit))

    async def close(self) -> None:
        async with self.lock:
            self._close()
