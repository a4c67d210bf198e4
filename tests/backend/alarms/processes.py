"""Real processes for end-to-end alarm tests: `tezuo serve`, `tezuo sim push`, a private redis-server."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

TEZUO = str(Path(sys.executable).with_name("tezuo"))
IN_CI = os.environ.get("CI") == "true"
SECRET = "alarm-e2e-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"{proc.args} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class Proc:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lease released, connections cut mid-request."""
        self.proc.kill()
        self.proc.wait(5)


@dataclass
class Stack:
    """The processes of one test; everything started is stopped at the end."""

    tmp: Path
    database_url: str
    procs: list[Proc] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEZUO_")}
        return env | {
            "TEZUO_DATA_DIR": str(self.tmp / "data"),
            "TEZUO_DATABASE_URL": self.database_url,
            "TEZUO_SECRET_KEY": SECRET,
            "TEZUO_PWA_DIR": str(self.tmp / "no-pwa"),
            **extra,
        }

    def _start(self, args: list[str], health: str, env: dict[str, str], name: str) -> Proc:
        log = self.tmp / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        started = Proc(proc, health.rsplit("/", 2)[0] if "/api/" in health else health, log)
        self.procs.append(started)
        _wait_http(health, proc, log)
        return started

    def push_sim(self) -> Proc:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        args = [TEZUO, "sim", "push", "--port", str(port)]
        proc = self._start(args, f"{base}/health", self.env(), "sim")
        proc.url = base
        return proc

    def serve(self, name: str = "api", **env: str) -> Proc:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        args = [TEZUO, "serve", "--port", str(port), "--log-level", "warning"]
        proc = self._start(args, f"{base}/api/health", self.env(**env), name)
        proc.url = base
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


class PrivateRedis:
    """A redis-server of our own on a free port (never the shared one on 6379); no persistence."""

    def __init__(self, tmp: Path):
        if not shutil.which("redis-server"):
            if IN_CI:
                pytest.fail("redis-server is not installed")
            pytest.skip("redis-server is not installed")
        self.port, self.dir = free_port(), tmp
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.proc = subprocess.Popen(
            [*args, "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        pytest.fail("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def sim_deliveries(sim: Proc) -> dict[str, Any]:
    return httpx.get(f"{sim.url}/deliveries", timeout=5).json()
