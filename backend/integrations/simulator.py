"""Loopback simulators of the HR system and the gate-access controller.

They speak the same HTTP the adapters send, record every request exactly as it arrived
(headers, body, whether the signature verified), keep the gate's notion of who may enter, and
can be told to fail the next N requests to exercise retries. `tezuo sim` serves them; tests
start one in-process on a random port and assert on what arrived over the socket.

Routes (one server serves both under /hr and /gate):
    POST /hr/webhook                     HR tasks (retraining.requested, retraining.resolved)
    POST /gate/access/revoke|restore     gate access
    GET  /gate/access/{person_id}        {"allowed": bool} as the gate sees it
    GET  /_sim/received?target=hr|gate   what arrived, oldest first
    POST /_sim/fail {"target", "statuses": [503, ...]}   answer the next requests with these
    DELETE /_sim/received                forget everything
"""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery

from backend.integrations.adapters import SIGNATURE_HEADER, sign

TARGETS = ("hr", "gate")


@dataclass
class Received:
    target: str
    path: str
    idempotency_key: str | None
    body: dict[str, Any]
    signature_ok: bool | None  # None: the simulator was given no secret to check with
    duplicate: bool
    at: str


@dataclass
class SimState:
    secret: bytes | None = None
    record_file: Path | None = None
    received: list[Received] = field(default_factory=list)
    gate: dict[str, bool] = field(default_factory=dict)  # person_id → may enter
    fail_next: dict[str, list[int]] = field(default_factory=lambda: {t: [] for t in TARGETS})
    seen_keys: set[tuple[str, str]] = field(default_factory=set)

    def of(self, target: str) -> list[Received]:
        return [r for r in self.received if r.target == target]


async def _take(
    request: Request[Any, Any, Any], state: SimState, target: str
) -> tuple[Received, Response[Any] | None]:
    raw = await request.body()
    key = request.headers.get("idempotency-key")
    signature = request.headers.get(SIGNATURE_HEADER.lower())
    ok = (
        None
        if state.secret is None
        else bool(signature and hmac.compare_digest(signature, sign(state.secret, raw)))
    )
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = {"_raw": raw.decode("utf-8", "replace")}
    duplicate = key is not None and (target, key) in state.seen_keys
    entry = Received(target, request.url.path, key, body, ok, duplicate, datetime.now(UTC).isoformat())
    state.received.append(entry)
    if state.record_file:
        with state.record_file.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
    if state.fail_next[target]:
        status = state.fail_next[target].pop(0)
        return entry, Response({"error": "simulated failure"}, status_code=status)
    if ok is False:
        return entry, Response({"error": "bad signature"}, status_code=401)
    if key:
        state.seen_keys.add((target, key))
    return entry, None


def _state(app_state: State) -> SimState:
    sim: SimState = app_state.sim
    return sim


@post("/hr/webhook", status_code=202)
async def hr_webhook(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    entry, failed = await _take(request, _state(state), "hr")
    if failed:
        return failed
    return Response(
        {"accepted": True, "duplicate": entry.duplicate}, status_code=200 if entry.duplicate else 202
    )


@post("/gate/access/{action:str}", status_code=200)
async def gate_access(request: Request[Any, Any, Any], state: State, action: FromPath[str]) -> Response[Any]:
    sim = _state(state)
    if action not in ("revoke", "restore"):
        return Response({"error": "unknown action"}, status_code=404)
    entry, failed = await _take(request, sim, "gate")
    if failed:
        return failed
    person = str(entry.body.get("person", {}).get("person_id", ""))
    if not entry.duplicate:
        sim.gate[person] = action == "restore"
    return Response(
        {"person_id": person, "allowed": sim.gate.get(person, True), "duplicate": entry.duplicate}
    )


@get("/gate/access/{person_id:str}")
async def gate_state(state: State, person_id: FromPath[str]) -> dict[str, Any]:
    return {"person_id": person_id, "allowed": _state(state).gate.get(person_id, True)}


@get("/_sim/received")
async def received(state: State, target: FromQuery[str | None] = None) -> list[dict[str, Any]]:
    sim = _state(state)
    return [asdict(r) for r in (sim.of(target) if target else sim.received)]


@post("/_sim/fail", status_code=200)
async def fail(state: State, request: Request[Any, Any, Any]) -> dict[str, Any]:
    spec = await request.json()
    _state(state).fail_next[spec["target"]] += [int(s) for s in spec.get("statuses", [503])]
    return {"ok": True}


@delete("/_sim/received", status_code=204)
async def forget(state: State) -> None:
    sim = _state(state)
    sim.received.clear()
    sim.seen_keys.clear()
    sim.gate.clear()


def create_sim_app(state: SimState, targets: tuple[str, ...] = TARGETS) -> Litestar:
    handlers: list[Any] = [received, fail, forget]
    if "hr" in targets:
        handlers.append(hr_webhook)
    if "gate" in targets:
        handlers += [gate_access, gate_state]
    return Litestar(
        route_handlers=handlers,
        state=State({"sim": state}),
        openapi_config=None,
    )


class SimServer:
    """The simulators on 127.0.0.1, in this event loop (tests, `tezuo sim`)."""

    def __init__(
        self,
        state: SimState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        targets: tuple[str, ...] = TARGETS,
    ):
        self.state = state or SimState()
        self.targets = targets
        self.host, self.port = host, port
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def hr_url(self) -> str:
        return f"{self.url}/hr/webhook"

    @property
    def gate_url(self) -> str:
        return f"{self.url}/gate"

    async def start(self) -> None:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(create_sim_app(self.state, self.targets), lifespan="off", log_level="warning")
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # the caller owns the signals
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def wait(self) -> None:
        if self._task is not None:
            await self._task


@asynccontextmanager
async def running(state: SimState | None = None) -> AsyncIterator[SimServer]:
    server = SimServer(state)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
