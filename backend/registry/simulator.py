"""`tezuo sim registry`: a loopback stand-in for the enterprise's gateway to the national registry.

It serves the contract of docs/registry.md (`POST /v1/certificates/query` and
`/v1/certificates/query-batch`) with configurable latency, error rate, rate limit and optional
auth header, and counts what arrives so tests can prove the client's behaviour:

    GET    /_sim/stats    requests, per-number queries, 429s, the most requests seen in any window
    POST   /_sim/config   {"latency_ms", "error_rate", "rate_limit", "fail_numbers", "hang_numbers"}
    DELETE /_sim/stats    forget the counts
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, delete, get, post
from litestar.datastructures import State

from backend.registry.adapter import Answer, BatchIn, BatchOut, Triple
from backend.registry.plant import Record

NOT_FOUND = Answer(found=False)


@dataclass
class RegistrySim:
    """The registry's records and behaviour; mutate it directly in-process or via /_sim/config."""

    records: dict[str, Record] = field(default_factory=dict)
    latency: float = 0.0  # seconds per request (a batch is one request)
    error_rate: float = 0.0  # share of requests answered 503
    rate_limit: int = 0  # requests per `window` seconds; 0: none. Excess requests get 429.
    window: float = 1.0
    auth: tuple[str, str] | None = None  # required header (name, value)
    fail_numbers: set[str] = field(default_factory=set)  # requests naming these always get 500
    hang_numbers: set[str] = field(default_factory=set)  # requests naming these hang 30 s
    seed: int = 0
    # counts
    requests: int = 0
    rejected: int = 0  # 429 answers
    errors: int = 0  # 5xx answers (simulated)
    unauthorized: int = 0
    max_in_window: int = 0
    queried: Counter[str] = field(default_factory=Counter)  # certificate number → times asked
    _arrivals: deque[float] = field(default_factory=deque)
    _rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def reset_counts(self) -> None:
        self.requests = self.rejected = self.errors = self.unauthorized = self.max_in_window = 0
        self.queried.clear()
        self._arrivals.clear()

    def answer(self, t: Triple) -> Answer:
        rec = self.records.get(t.number)
        # The registry finds a certificate by number and holder's ID; a number under another
        # person's ID is "not found", as cx.mem.gov.cn answers.
        if rec is None or rec.holder_id != t.id_number:
            return NOT_FOUND
        return rec.answer

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "rejected": self.rejected,
            "errors": self.errors,
            "unauthorized": self.unauthorized,
            "max_in_window": self.max_in_window,
            "rate_limit": self.rate_limit,
            "window": self.window,
            "queries": sum(self.queried.values()),
            "distinct_numbers": len(self.queried),
            "records": len(self.records),
        }

    async def admit(self, request: Request[Any, Any, Any], numbers: list[str]) -> Response[Any] | None:
        """Count the request and decide whether it fails; None lets it through."""
        now = time.monotonic()
        self.requests += 1
        self._arrivals.append(now)
        while self._arrivals and self._arrivals[0] <= now - self.window:
            self._arrivals.popleft()
        self.max_in_window = max(self.max_in_window, len(self._arrivals))
        self.queried.update(numbers)
        if self.auth and request.headers.get(self.auth[0]) != self.auth[1]:
            self.unauthorized += 1
            return Response({"error": "unauthorized"}, status_code=401)
        if self.rate_limit and len(self._arrivals) > self.rate_limit:
            self.rejected += 1
            return Response({"error": "rate limited"}, status_code=429, headers={"Retry-After": "1"})
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.hang_numbers.intersection(numbers):
            await asyncio.sleep(30)
        if self.fail_numbers.intersection(numbers) or (
            self.error_rate and self._rng.random() < self.error_rate
        ):
            self.errors += 1
            return Response({"error": "simulated failure"}, status_code=503)
        return None


def _sim(state: State) -> RegistrySim:
    sim: RegistrySim = state.sim
    return sim


@post("/v1/certificates/query", status_code=200)
async def query(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    sim = _sim(state)
    try:
        triple = msgspec.json.decode(await request.body(), type=Triple)
    except msgspec.DecodeError as exc:
        return Response({"error": str(exc)}, status_code=400)
    if failed := await sim.admit(request, [triple.number]):
        return failed
    return Response(msgspec.json.encode(sim.answer(triple)), media_type="application/json")


@post("/v1/certificates/query-batch", status_code=200)
async def query_batch(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    sim = _sim(state)
    try:
        batch = msgspec.json.decode(await request.body(), type=BatchIn)
    except msgspec.DecodeError as exc:
        return Response({"error": str(exc)}, status_code=400)
    if len(batch.queries) > 100:
        return Response({"error": "at most 100 queries per batch"}, status_code=413)
    if failed := await sim.admit(request, [t.number for t in batch.queries]):
        return failed
    out = BatchOut([sim.answer(t) for t in batch.queries])
    return Response(msgspec.json.encode(out), media_type="application/json")


@get("/_sim/stats")
async def stats(state: State) -> dict[str, Any]:
    return _sim(state).stats()


@delete("/_sim/stats", status_code=204)
async def forget(state: State) -> None:
    _sim(state).reset_counts()


class SimConfig(msgspec.Struct, forbid_unknown_fields=True):
    latency_ms: float | None = None
    error_rate: float | None = None
    rate_limit: int | None = None
    fail_numbers: list[str] | None = None
    hang_numbers: list[str] | None = None


@post("/_sim/config", status_code=200)
async def configure(request: Request[Any, Any, Any], state: State) -> dict[str, Any]:
    sim = _sim(state)
    spec = msgspec.json.decode(await request.body(), type=SimConfig)
    if spec.latency_ms is not None:
        sim.latency = spec.latency_ms / 1000
    if spec.error_rate is not None:
        sim.error_rate = spec.error_rate
    if spec.rate_limit is not None:
        sim.rate_limit = spec.rate_limit
    if spec.fail_numbers is not None:
        sim.fail_numbers = set(spec.fail_numbers)
    if spec.hang_numbers is not None:
        sim.hang_numbers = set(spec.hang_numbers)
    return sim.stats()


def create_app(sim: RegistrySim) -> Litestar:
    return Litestar(
        route_handlers=[query, query_batch, stats, forget, configure],
        state=State({"sim": sim}),
        openapi_config=None,
    )


class RegistryServer:
    """The simulator on 127.0.0.1 in this event loop (tests, `tezuo sim registry`, the bench)."""

    def __init__(self, sim: RegistrySim | None = None, host: str = "127.0.0.1", port: int = 0):
        self.sim = sim or RegistrySim()
        self.host, self.port = host, port
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """The base URL to configure as TEZUO_REGISTRY_URL."""
        return f"http://{self.host}:{self.port}/v1/certificates"

    async def start(self) -> None:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.sim), lifespan="off", log_level="warning", access_log=False, backlog=2048
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            self._server.force_exit = True
            await self._task
