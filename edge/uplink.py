"""The uplink: drains the outbox to the API in order, signs every request, backs off while it is down."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from edge.outbox import Item, Outbox

log = logging.getLogger("edge.uplink")

Clock = Callable[[], datetime]
# Answers that mean "not now" rather than "never": keep the message and try again later.
RETRY_LATER = {401, 408, 425, 429}
PATHS = {
    "reading": "/api/gas/readings",
    "scada": "/api/analytics/scada/samples",
    "alarm": "/api/alarms/ingest",
}
# Kinds sent in runs, one request per run: the kind → the body's list key.
BATCHED = {"reading": "readings", "scada": "samples"}
CLIP_TYPES = {".avi": "video/x-msvideo", ".mp4": "video/mp4"}


def utc_now() -> datetime:
    return datetime.now(UTC)


class Uplink:
    def __init__(
        self,
        client: httpx.AsyncClient,
        outbox: Outbox,
        token: str,
        *,
        batch: int = 100,
        clock: Clock = utc_now,
        data_dir: Path | None = None,
    ):
        self.data_dir = data_dir or Path(".")  # clip paths in the queue are relative to it
        self.client = client
        self.outbox = outbox
        self.token = token
        self.batch = batch
        self.clock = clock
        self.down: str | None = None  # why the last attempt failed; None while the API answers
        self.sent = 0

    def headers(self) -> dict[str, str]:
        """Device auth (docs/alarms.md "Device requests"): token, fresh timestamp, a nonce per request."""
        return {
            "authorization": f"Bearer {self.token}",
            "x-tezuo-timestamp": f"{self.clock().timestamp():.3f}",
            "x-tezuo-nonce": secrets.token_urlsafe(18),
        }

    async def drain(self) -> int:
        """Send what is queued, oldest first, until the queue is empty or the API stops answering.

        Returns how many messages the server now holds. Order holds because a failure stops the
        drain: nothing newer is sent before an older message has been accepted.
        """
        delivered = 0
        while items := self._next_run():
            try:
                count = await self._send(items)
            except httpx.TransportError as exc:
                self._down(items, f"{type(exc).__name__}: {exc}")
                return delivered
            if count is None:
                return delivered
            delivered += count
        if self.down is not None:
            log.warning("uplink recovered")
        self.down = None
        return delivered

    def _next_run(self) -> list[Item]:
        """The head of the queue: a run of readings or SCADA samples (one request), or one alarm."""
        items = self.outbox.head(self.batch)
        if not items:
            return []
        run = [items[0]]
        if items[0].kind in BATCHED:
            for item in items[1:]:
                if item.kind != items[0].kind:
                    break
                run.append(item)
        return run

    async def _post(self, kind: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(PATHS[kind], json=body, headers=self.headers())

    async def _put_clip(self, item: Item) -> httpx.Response | None:
        """PUT the clip file of an alarm (queued after the alarm, so the server knows the alarm);
        None when the file is gone from the node (nothing left to send)."""
        path = self.data_dir / item.body["path"]
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        headers = {**self.headers(), "content-type": CLIP_TYPES.get(path.suffix, "application/octet-stream")}
        return await self.client.put(
            f"/api/alarms/{item.body['alarm_id']}/clip", content=data, headers=headers
        )

    async def _send(self, items: list[Item]) -> int | None:
        """How many of `items` the server now holds, or None to stop (retry later)."""
        head = items[0]
        if head.kind in BATCHED:
            body: dict[str, Any] = {BATCHED[head.kind]: [i.body for i in items]}
        else:
            body = head.body
        if head.kind == "clip":
            clip = await self._put_clip(head)
            if clip is None:
                log.error("uplink: clip file %s is missing; dropped", head.body["path"])
                self.outbox.bury(head, "clip file missing on the node")
                return 0
            res = clip
        else:
            res = await self._post(head.kind, body)
        if res.status_code < 300:
            self.outbox.done(items)
            self.sent += len(items)
            if head.kind == "clip":  # the server holds it (by SHA-256): free the node's disk
                (self.data_dir / head.body["path"]).unlink(missing_ok=True)
            return len(items)
        code = _problem_code(res)
        if res.status_code == 413 and head.kind == "alarm" and "snapshot_jpeg" in body:
            # The server takes smaller bodies than our snapshot: the alarm matters more than its image.
            log.warning("uplink: alarm %s too large for the server; sending it without its snapshot", head.id)
            lighter = {k: v for k, v in body.items() if k != "snapshot_jpeg"}
            lighter["detail"] = {**lighter.get("detail", {}), "snapshot_dropped": "413 from the server"}
            self.outbox.replace(head, lighter)
            return await self._send([Item(head.seq, head.id, head.kind, lighter)])
        if res.status_code >= 500 or res.status_code in RETRY_LATER or code == "alarm_in_progress":
            self._down(items, f"HTTP {res.status_code} {code}")
            return None
        if len(items) > 1:
            # One bad reading (or sample) refuses the whole batch: send them one by one to find it.
            count = 0
            for item in items:
                one = await self._send([item])
                if one is None:
                    return None if count == 0 else count
                count += one
            return count
        log.error("uplink: server refused %s %s for good: %s %s", head.kind, head.id, res.status_code, code)
        self.outbox.bury(head, f"HTTP {res.status_code} {code}: {res.text[:300]}")
        return 0

    def _down(self, items: list[Item], why: str) -> None:
        self.outbox.failed(items, why)
        if self.down is None:
            log.error("uplink down: %s (queue depth %d)", why, self.outbox.depth())
        self.down = why

    async def run(self, interval_s: float, backoff_max_s: float) -> None:
        """Forever: drain, then wait (longer while the API is down, up to backoff_max_s)."""
        wait = interval_s
        while True:
            try:
                await self.drain()
            except (httpx.HTTPError, ValueError, OSError) as exc:  # a malformed answer, a full disk
                log.exception("uplink drain failed")
                self.down = f"{type(exc).__name__}: {exc}"
            wait = interval_s if self.down is None else min(wait * 2, backoff_max_s)
            await asyncio.sleep(wait)

    async def get_json(self, path: str) -> Any:
        res = await self.client.get(path, headers=self.headers())
        res.raise_for_status()
        return res.json()

    async def post_json(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers())


def _problem_code(res: httpx.Response) -> str:
    try:
        data = res.json()
    except ValueError:
        return ""
    return str(data.get("code", "")) if isinstance(data, dict) else ""
