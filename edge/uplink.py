"""The uplink: drains the outbox to the API, signs every request, backs off while it is down.

Two lanes: readings, band samples and alarms strictly in order (`drain`); clips on their own
(`drain_clips`), each once its alarm is delivered, so a clip stalled on a slow link delays no alarm.
"""

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
    "band": "/api/wearables/readings",
    "alarm": "/api/alarms/ingest",
}
# Kinds sent in runs, one request per run: the kind → the body's list key.
BATCHED = {"reading": "readings", "scada": "samples", "band": "readings"}
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
        clip_timeout_s: float = 300.0,
    ):
        self.data_dir = data_dir or Path(".")  # clip paths in the queue are relative to it
        self.client = client
        self.outbox = outbox
        self.token = token
        self.batch = batch
        self.clock = clock
        self.down: str | None = None  # why the last attempt failed; None while the API answers
        self.clips_down: str | None = None  # the same for the clip lane
        self.clip_timeout_s = clip_timeout_s
        self.sent = 0
        self._unknown_bands: set[str] = set()

    def headers(self) -> dict[str, str]:
        """Device auth (docs/alarms.md "Device requests"): token, fresh timestamp, a nonce per request."""
        return {
            "authorization": f"Bearer {self.token}",
            "x-tezuo-timestamp": f"{self.clock().timestamp():.3f}",
            "x-tezuo-nonce": secrets.token_urlsafe(18),
        }

    async def drain(self) -> int:
        """Both lanes once, one after the other (a one-shot flush; `run` drives them independently)."""
        return await self.drain_ordered() + await self.drain_clips()

    async def drain_ordered(self) -> int:
        """Send the ordered lane, oldest first, until it is empty or the API stops answering.

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
            # Interleaved batched kinds (gas readings and SCADA samples polled side by side) are
            # picked by kind, so each kind goes in one request; an alarm is a barrier: nothing
            # queued after it is sent before it.
            for item in items[1:]:
                if item.kind not in BATCHED:
                    break
                if item.kind == items[0].kind:
                    run.append(item)
        return run

    async def drain_clips(self) -> int:
        """Send the clip lane: each clip whose alarm the server has, oldest first, one at a time."""
        delivered = 0
        while (item := self.outbox.clip_head()) is not None:
            try:
                res = await self._put_clip(item)
            except httpx.TransportError as exc:
                self._clips_down(item, f"{type(exc).__name__}: {exc}")
                return delivered
            if res is None:
                log.error("uplink: clip file %s is missing; dropped", item.body["path"])
                self.outbox.bury(item, "clip file missing on the node")
                continue
            if res.status_code < 300:
                self.outbox.done([item])
                self.sent += 1
                delivered += 1
                (self.data_dir / item.body["path"]).unlink(
                    missing_ok=True
                )  # the server holds it: free the disk
                continue
            code = _problem_code(res)
            if res.status_code >= 500 or res.status_code in RETRY_LATER:
                self._clips_down(item, f"HTTP {res.status_code} {code}")
                return delivered
            log.error("uplink: server refused clip %s for good: %s %s", item.id, res.status_code, code)
            self.outbox.bury(item, f"HTTP {res.status_code} {code}: {res.text[:300]}")
        if self.clips_down is not None:
            log.warning("clip uplink recovered")
        self.clips_down = None
        return delivered

    def _clips_down(self, item: Item, why: str) -> None:
        self.outbox.failed([item], why)
        if self.clips_down is None:
            log.error("clip uplink down: %s", why)
        self.clips_down = why

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
        timeout = httpx.Timeout(self.clip_timeout_s, connect=self.client.timeout.connect)
        return await self.client.put(
            f"/api/alarms/{item.body['alarm_id']}/clip", content=data, headers=headers, timeout=timeout
        )

    async def _send(self, items: list[Item]) -> int | None:
        """How many of `items` the server now holds, or None to stop (retry later)."""
        head = items[0]
        if head.kind in BATCHED:
            body: dict[str, Any] = {BATCHED[head.kind]: [i.body for i in items]}
        else:
            body = head.body
        res = await self._post(head.kind, body)
        if res.status_code < 300:
            self.outbox.done(items)
            self.sent += len(items)
            if head.kind == "band":
                self._note_unknown_bands(res)
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

    def _note_unknown_bands(self, res: httpx.Response) -> None:
        """Samples of a band the site does not know are dropped by the server; say so once per band."""
        try:
            unknown = set(res.json().get("unknown_bands", []))
        except (ValueError, AttributeError):
            return
        for band in sorted(unknown - self._unknown_bands):
            log.warning(
                "uplink: band %s is not registered on the site (tezuo devices add --kind wearable)", band
            )
        self._unknown_bands |= unknown

    async def run(self, interval_s: float, backoff_max_s: float) -> None:
        """Forever: both lanes, each its own loop and backoff (a stalled clip never holds an alarm)."""
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._loop(self.drain_ordered, "down", interval_s, backoff_max_s))
            tg.create_task(self._loop(self.drain_clips, "clips_down", interval_s, backoff_max_s))

    async def _loop(
        self, drain: Callable[[], Any], state: str, interval_s: float, backoff_max_s: float
    ) -> None:
        """Drain, then wait (longer while the API is down, up to backoff_max_s)."""
        wait = interval_s
        while True:
            try:
                await drain()
            except (httpx.HTTPError, ValueError, OSError) as exc:  # a malformed answer, a full disk
                log.exception("uplink drain failed")
                setattr(self, state, f"{type(exc).__name__}: {exc}")
            wait = interval_s if getattr(self, state) is None else min(wait * 2, backoff_max_s)
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
