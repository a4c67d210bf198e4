"""The push-service adapter: encrypt (RFC 8291, aes128gcm) with pywebpush, sign (VAPID), POST (RFC 8030)."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Protocol

import httpx
from pywebpush import WebPusher

from backend.push.vapid import VapidSigner


@dataclass(frozen=True)
class Target:
    """Where a message goes: a browser's push endpoint and the keys to encrypt for it."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushResult:
    """The push service's answer; `status` None means it could not be reached at all."""

    status: int | None
    retry_after: float | None = None
    error: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """RFC 8030 §7.3 / common practice: the subscription expired or was unsubscribed."""
        return self.status in (404, 410)

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


class PushSender(Protocol):
    async def send(
        self, target: Target, payload: bytes, *, ttl: int, urgency: str, topic: str
    ) -> PushResult: ...

    async def aclose(self) -> None: ...


def encrypt(target: Target, payload: bytes) -> bytes:
    """The aes128gcm body for this browser (RFC 8188 framing, RFC 8291 keys), from pywebpush."""
    keys = {"p256dh": target.p256dh, "auth": target.auth}
    body: bytes = WebPusher({"endpoint": target.endpoint, "keys": keys}).encode(payload, "aes128gcm")["body"]
    return body


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class WebPushSender:
    """Sends over one pooled httpx client; tests pass a transport or point it at the simulator."""

    def __init__(
        self, signer: VapidSigner, *, transport: httpx.AsyncBaseTransport | None = None, timeout: float = 10
    ):
        self.signer = signer
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=3),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    async def send(self, target: Target, payload: bytes, *, ttl: int, urgency: str, topic: str) -> PushResult:
        headers = {
            "TTL": str(ttl),
            "Urgency": urgency,
            "Topic": topic,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self.signer.header(target.endpoint),
        }
        try:
            response = await self.client.post(
                target.endpoint, content=encrypt(target, payload), headers=headers
            )
        except httpx.HTTPError as exc:
            return PushResult(None, None, f"{type(exc).__name__}: {exc}"[:300])
        if 200 <= response.status_code < 300:
            return PushResult(response.status_code)
        return PushResult(
            response.status_code,
            retry_after_seconds(response.headers.get("retry-after")),
            response.text[:300] or response.reason_phrase,
        )

    async def aclose(self) -> None:
        await self.client.aclose()
