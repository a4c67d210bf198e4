"""Edge test helpers: configs for the loopback site, a served API that can go down and come back."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import uvicorn

from backend.app import create_app
from edge.config import Bus, GasDetector


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bus(port: int, framer: str = "socket", **extra: Any) -> Bus:
    fast = {"timeout_s": 0.5, "frame_delay_ms": 2, "backoff_initial_s": 0.05, "backoff_max_s": 0.2}
    return Bus(name="line1", port=port, framer=framer, **(fast | extra))  # type: ignore[arg-type]


def methane(unit: int = 1, code: str = "GD-101") -> GasDetector:
    """A %LEL detector holding tenths of %LEL in one uint16 register."""
    return GasDetector(
        code=code,
        bus="line1",
        unit=unit,
        address=0,
        scale=0.1,
        gas="methane",
        lel_vol_percent=5.0,
        reports="lel_percent",
    )


def h2s_ppm(unit: int = 2, code: str = "GD-102") -> GasDetector:
    """An H₂S detector reporting ppm as a float32 over two registers."""
    return GasDetector(
        code=code,
        bus="line1",
        unit=unit,
        address=4,
        type="float32",
        gas="hydrogen_sulfide",
        lel_vol_percent=4.0,
        reports="ppm",
    )


class ServedApi:
    """The real app under uvicorn on a fixed loopback port, stoppable to make an uplink outage."""

    def __init__(self, settings: Any, clock: Any):
        self.app = create_app(settings, clock)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(1000):
            if self.server.started:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("uvicorn did not start")

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.task, 5)
        self.server = self.task = None


def example_config(
    tmp_path: Any, port: int = 5020, api: str = "http://127.0.0.1:9", token: str = "tzd_x", **changes: Any
) -> Any:
    """edge/edge.example.toml, pointed at a test's Modbus port, API and data dir."""
    import tomllib
    from pathlib import Path

    import msgspec

    from edge.config import EdgeConfig

    raw = tomllib.loads((Path(__file__).parents[2] / "edge" / "edge.example.toml").read_text())
    raw["data_dir"] = str(tmp_path / "edge")
    raw["uplink"] |= {"url": api, "token": token}
    raw["buses"][0] |= {
        "port": port,
        "timeout_s": 0.5,
        "frame_delay_ms": 2,
        "backoff_initial_s": 0.05,
        "backoff_max_s": 0.2,
    }
    for key, value in changes.items():
        raw[key] = value
    return msgspec.convert(raw, EdgeConfig)
