"""The outside systems as small protocols, and their HTTP implementations.

Each adapter takes an `httpx.AsyncClient` (STYLE: a transport seam, never monkeypatching):
production passes a plain client, tests point it at the loopback simulator over a real socket.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

SIGNATURE_HEADER = "X-Tezuo-Signature"


class DeliveryError(Exception):
    """The other side did not take the message (transport error or non-2xx); retry later."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class HrSystem(Protocol):
    """HR: receives retraining tasks (T-30) and hears when one is no longer needed."""

    async def send(self, event: str, data: Mapping[str, Any], *, idempotency_key: str) -> int: ...


class GateAccess(Protocol):
    """门禁: takes a person's site access away (T-0, leaving) and gives it back."""

    async def revoke(self, person: Mapping[str, Any], reason: str, *, idempotency_key: str) -> int: ...

    async def restore(self, person: Mapping[str, Any], *, idempotency_key: str) -> int: ...


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


async def _post(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], key: str, secret: bytes | None
) -> int:
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, raw)
    try:
        response = await client.post(url, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if not response.is_success:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}", response.status_code)
    return response.status_code


class HttpHrWebhook:
    """POSTs `{"event", "id", "data"}` to one URL; the receiver dedupes on Idempotency-Key."""

    def __init__(self, client: httpx.AsyncClient, url: str, secret: bytes | None = None):
        self.client, self.url, self.secret = client, url, secret

    async def send(self, event: str, data: Mapping[str, Any], *, idempotency_key: str) -> int:
        body = {"event": event, "id": idempotency_key, "data": dict(data)}
        return await _post(self.client, self.url, body, idempotency_key, self.secret)


class HttpGate:
    """POSTs to `{base}/access/revoke` and `{base}/access/restore` of the access-control system."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, secret: bytes | None = None):
        self.client, self.base, self.secret = client, base_url.rstrip("/"), secret

    async def revoke(self, person: Mapping[str, Any], reason: str, *, idempotency_key: str) -> int:
        body = {"person": dict(person), "reason": reason}
        return await _post(self.client, f"{self.base}/access/revoke", body, idempotency_key, self.secret)

    async def restore(self, person: Mapping[str, Any], *, idempotency_key: str) -> int:
        body = {"person": dict(person)}
        return await _post(self.client, f"{self.base}/access/restore", body, idempotency_key, self.secret)
