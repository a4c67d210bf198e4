"""The registry adapter: query a certificate by the three elements (ID number + operation item +
certificate number) and get the registry's record, or "not found".

`Registry` is the protocol the daily check uses; `HttpRegistry` speaks the gateway contract in
docs/registry.md (single `POST …/query` and batched `POST …/query-batch`) over an
`httpx.AsyncClient` (STYLE: a transport seam), with a sliding-window rate limit, per-request
timeout, retries with exponential backoff and a circuit breaker. `tezuo sim registry` serves the
same contract on loopback.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import date
from typing import Protocol

import httpx
import msgspec

from backend.registry.limits import CircuitBreaker, CircuitOpen, SlidingWindowLimiter

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class Triple(msgspec.Struct, frozen=True):
    """三要素: what the registry is asked."""

    id_number: str
    item_code: str  # the operation item's code in the MEM catalogue, e.g. "02-01"
    number: str  # certificate number (特种作业: "T" + ID number)


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """The registry's record for a triple; `found=False` leaves the rest empty."""

    found: bool
    holder_name: str = ""
    item_code: str = ""
    item_name: str = ""
    status: str = ""  # valid | expired | revoked
    valid_until: date | None = None
    issued_on: date | None = None
    issuing_authority: str = ""
    review_dates: list[date] = msgspec.field(default_factory=list)  # 复审日期, oldest first
    next_review_due: date | None = None


class BatchIn(msgspec.Struct, frozen=True):
    queries: list[Triple]


class BatchOut(msgspec.Struct, frozen=True):
    results: list[Answer]


class RegistryUnavailable(Exception):
    """No trustworthy answer (timeouts, errors, rate limiting, open circuit) after the retries."""


class Registry(Protocol):
    async def query(self, triple: Triple) -> Answer: ...

    async def query_many(self, triples: Sequence[Triple]) -> list[Answer]: ...


class HttpRegistry:
    """The gateway over HTTP. `batch_size` 1 uses only the single query endpoint."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        auth_header: tuple[str, str] | None = None,
        rate_per_second: int = 10,
        timeout: float = 10.0,
        retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 10.0,
        breaker: CircuitBreaker | None = None,
        batch_size: int = 50,
    ):
        self.client, self.base = client, base_url.rstrip("/")
        self.headers = {"Content-Type": "application/json"}
        if auth_header:
            self.headers[auth_header[0]] = auth_header[1]
        self.limiter = SlidingWindowLimiter(rate_per_second)
        self.timeout, self.retries = timeout, retries
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.breaker = breaker or CircuitBreaker()
        self.batch_size = max(1, batch_size)
        self.requests = 0  # what went out, retries included

    async def query(self, triple: Triple) -> Answer:
        raw = await self._post("/query", msgspec.json.encode(triple))
        try:
            return msgspec.json.decode(raw, type=Answer)
        except msgspec.ValidationError as exc:
            raise RegistryUnavailable(f"unreadable answer: {exc}") from exc

    async def query_many(self, triples: Sequence[Triple]) -> list[Answer]:
        """One answer per triple, in order; batches of `batch_size` per request."""
        if self.batch_size == 1:
            return [await self.query(t) for t in triples]
        out: list[Answer] = []
        for start in range(0, len(triples), self.batch_size):
            chunk = list(triples[start : start + self.batch_size])
            raw = await self._post("/query-batch", msgspec.json.encode(BatchIn(chunk)))
            try:
                results = msgspec.json.decode(raw, type=BatchOut).results
            except msgspec.ValidationError as exc:
                raise RegistryUnavailable(f"unreadable batch answer: {exc}") from exc
            if len(results) != len(chunk):
                raise RegistryUnavailable(f"batch of {len(chunk)} answered with {len(results)} results")
            out += results
        return out

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and (after := response.headers.get("retry-after", "")).isdigit():
            return min(self.backoff_cap, float(after))
        base = min(self.backoff_cap, self.backoff_base * 2**attempt)
        return base * (0.5 + random.random() / 2)  # jitter: concurrent retries do not fire in step

    async def _post(self, path: str, body: bytes) -> bytes:
        last = "no attempt made"
        response: httpx.Response | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self._delay(attempt - 1, response))
            response = None
            try:
                self.breaker.before()
            except CircuitOpen as exc:
                raise RegistryUnavailable(str(exc)) from exc
            await self.limiter.acquire()
            self.requests += 1
            try:
                response = await self.client.post(
                    self.base + path, content=body, headers=self.headers, timeout=self.timeout
                )
            except httpx.TimeoutException as exc:
                last = f"timeout after {self.timeout}s ({type(exc).__name__})"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.is_success:
                    self.breaker.success()
                    return response.content
                last = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code not in RETRY_STATUSES:
                    self.breaker.failure()
                    raise RegistryUnavailable(last)
            self.breaker.failure()
        raise RegistryUnavailable(f"{last} (after {self.retries + 1} attempts)")
