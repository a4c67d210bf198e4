"""The push-service adapter: encrypt (RFC 8291, aes128gcm) with pywebpush, sign (VAPID), POST (RFC 8030)."""

from __future__ import annotations

import base64
import email.utils
import functools
import time
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
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


def _b64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@functools.lru_cache(maxsize=4096)
def _receiver(p256dh: str, auth: str) -> tuple[ec.EllipticCurvePublicKey, bytes]:
    """A subscription's keys, decoded and the point checked once (not once per message)."""
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64(p256dh)), _b64(auth)


def encrypt(target: Target, payload: bytes) -> bytes:
    """The aes128gcm body for this browser (RFC 8188 framing, RFC 8291 keys).

    `http_ece` does the work, exactly as pywebpush's `WebPusher.encode` calls it, with a fresh
    ephemeral ECDH key per message (RFC 8291 §3.1) — minus WebPusher's per-message deep copy and
    key decoding, which cost as much as the encryption itself.
    """
    receiver, auth = _receiver(target.p256dh, target.auth)
    body: bytes = http_ece.encrypt(
        payload,
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=receiver,
        auth_secret=auth,
        version="aes128gcm",
    )
    return body


def encrypt_with_pywebpush(target: Target, payload: bytes) -> bytes:
    """The same through pywebpush's own `WebPusher` (the reference `encrypt` is tested against)."""
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
    """Sends over one pooled aiohttp session (a third of httpx's CPU per request, which counts at
    hundreds of pushes a second); tests point it at the simulator on a real socket."""

    def __init__(self, signer: VapidSigner, *, timeout: float = 10, connections: int = 128):
        self.signer = signer
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=3)
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:  # made on first use, inside the running loop
            connector = aiohttp.TCPConnector(limit=self.connections, limit_per_host=self.connections)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        return self._session

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
            async with self._client().post(
                target.endpoint, data=encrypt(target, payload), headers=headers
            ) as res:
                if 200 <= res.status < 300:
                    return PushResult(res.status)
                text = (await res.text(errors="replace"))[:300]
                return PushResult(
                    res.status, retry_after_seconds(res.headers.get("retry-after")), text or res.reason
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return PushResult(None, None, f"{type(exc).__name__}: {exc}"[:300])

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
