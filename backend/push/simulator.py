"""`tezuo sim push`: a push service on loopback that speaks RFC 8030 + RFC 8292 and records deliveries.

Tests and the demo send real encrypted messages to it. It checks what a real push service
checks (VAPID signature and audience, TTL, aes128gcm, size), answers 201 with a message
Location, and records each delivery. It plays faults on request: answer 503 (or any status)
for N seconds, 410 for chosen endpoints, or hold requests unanswered (a request whose sender
disappears while held was never accepted, as with a real service). When it generated a
subscription's browser keys itself it also decrypts what it received.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256

from backend.push.ece import DecryptError, UserAgentKeys, decrypt, private_b64

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
MAX_MESSAGE = 4096  # RFC 8030 §7.2: push services must accept at least 4096 bytes


def _b64d(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class Reject(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


@functools.lru_cache(maxsize=256)
def _signed(token: str, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A JWT's header and claims once its ES256 signature checks out; a sender reuses one token for
    hours (RFC 8292 §2), so each distinct one is verified once. `aud` and `exp` are checked per use."""
    try:
        head, body, sig = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64d(key))
        raw = _b64d(sig)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(SHA256()))
        return json.loads(_b64d(head)), json.loads(_b64d(body))
    except (ValueError, InvalidSignature, json.JSONDecodeError) as exc:
        raise Reject(401, f"invalid VAPID token: {type(exc).__name__}") from None


def verify_vapid(authorization: str, audience: str, now: float) -> dict[str, Any]:
    """RFC 8292 §2–3: `vapid t=<JWT>, k=<P-256 public key>`; ES256 signature, aud, exp ≤ 24 h."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise Reject(401, "Authorization scheme must be vapid")
    parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
    token, key = parts.get("t", ""), parts.get("k", "")
    header, claims = _signed(token, key)
    if header.get("alg") != "ES256":
        raise Reject(401, "VAPID alg must be ES256")
    if claims.get("aud") != audience:
        raise Reject(401, f"VAPID aud {claims.get('aud')!r} is not {audience!r}")
    if not now < float(claims.get("exp", 0)) <= now + 24 * 3600 + 60:
        raise Reject(401, "VAPID exp missing, past, or more than 24 h ahead")
    return {"sub": claims.get("sub"), "k": key}


@dataclass
class SimSubscription:
    keys: UserAgentKeys | None = None
    application_server_key: str | None = None


@dataclass
class Faults:
    fail_status: int = 503
    fail_until: float = 0.0
    retry_after: int | None = None
    gone: set[str] = field(default_factory=set)
    hold: bool = False


class PushSimulator:
    """One push service on 127.0.0.1; `start()` binds it (port 0: any free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, record_path: str | None = None):
        self.host, self.port = host, port
        self.record_path = record_path
        self.subscriptions: dict[str, SimSubscription] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.attempts: dict[int, int] = {}
        self.faults = Faults()
        self.held = 0
        self._released = asyncio.Event()
        self._server: asyncio.Server | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.origin

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._released.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def new_subscription(
        self, generate_keys: bool = False, application_server_key: str | None = None
    ) -> dict[str, Any]:
        token = secrets.token_urlsafe(24)
        sub = SimSubscription(UserAgentKeys.generate() if generate_keys else None, application_server_key)
        self.subscriptions[token] = sub
        out: dict[str, Any] = {"endpoint": f"{self.origin}/push/{token}", "token": token}
        if sub.keys is not None:
            out["keys"] = sub.keys.subscription_keys()
            out["private_key"] = private_b64(sub.keys)
        return out

    def control(self, body: dict[str, Any]) -> dict[str, Any]:
        f = self.faults
        if "fail_seconds" in body:
            f.fail_until = time.time() + float(body["fail_seconds"])
            f.fail_status = int(body.get("fail_status", 503))
            f.retry_after = body.get("retry_after")
        f.gone |= set(body.get("gone", []))
        if "hold" in body:
            f.hold = bool(body["hold"])
            if f.hold:
                self._released = asyncio.Event()
            else:
                self._released.set()
        return self.stats()

    def stats(self) -> dict[str, Any]:
        return {
            "delivered": len(self.deliveries),
            "held": self.held,
            "attempts": {str(k): v for k, v in sorted(self.attempts.items())},
        }

    # --- the push endpoint (RFC 8030 §5) ---------------------------------------------------
    def _accept(self, token: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        now = time.time()
        sub = self.subscriptions.get(token)
        if sub is None:
            raise Reject(404, "no such subscription")
        if token in self.faults.gone:
            raise Reject(410, "subscription expired")
        if now < self.faults.fail_until:
            raise Reject(self.faults.fail_status, "simulated outage")
        vapid = verify_vapid(headers.get("authorization", ""), self.origin, now)
        if sub.application_server_key and vapid["k"] != sub.application_server_key:
            raise Reject(403, "VAPID key is not the subscription's applicationServerKey")
        if not headers.get("ttl", "").isdigit():
            raise Reject(400, "TTL header required (RFC 8030 §5.2)")
        if headers.get("content-encoding") != "aes128gcm":
            raise Reject(415, "Content-Encoding must be aes128gcm (RFC 8291)")
        if len(body) > MAX_MESSAGE:
            raise Reject(413, "message larger than 4096 bytes")
        record: dict[str, Any] = {
            "seq": len(self.deliveries) + 1,
            "message_id": secrets.token_urlsafe(12),
            "token": token,
            "received_at": now,
            "ttl": int(headers["ttl"]),
            "urgency": headers.get("urgency", "normal"),
            "topic": headers.get("topic"),
            "vapid_sub": vapid["sub"],
            "body": base64.b64encode(body).decode(),
        }
        if sub.keys is not None:
            try:
                record["plaintext"] = json.loads(decrypt(body, sub.keys))
            except (DecryptError, ValueError) as exc:
                record["decrypt_error"] = str(exc)
        self.deliveries.append(record)
        if self.record_path:
            with open(self.record_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    # --- HTTP/1.1 on asyncio streams ---------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, out, extra = await self._route(method, target, headers, body, reader)
                if status == 0:
                    return  # the sender went away while we held its request: never accepted
                payload = json.dumps(out, ensure_ascii=False).encode() if out is not None else b""
                head = [
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
                    f"Content-Length: {len(payload)}",
                ]
                head += [f"{k}: {v}" for k, v in extra.items()]
                if payload:
                    head.append("Content-Type: application/json")
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()

    async def _held_until_release(self, reader: asyncio.StreamReader) -> bool:
        """Wait while `hold` is on; False if the sender disconnected meanwhile."""
        self.held += 1
        eof = asyncio.ensure_future(reader.read(1))
        released = asyncio.ensure_future(self._released.wait())
        try:
            done, _ = await asyncio.wait({eof, released}, return_when=asyncio.FIRST_COMPLETED)
            return released in done and not (eof in done and eof.result() == b"")
        finally:
            self.held -= 1
            eof.cancel()
            released.cancel()

    async def _route(
        self, method: str, target: str, headers: dict[str, str], body: bytes, reader: asyncio.StreamReader
    ) -> tuple[int, Any, dict[str, str]]:
        url = urlsplit(target)
        path, query = url.path, parse_qs(url.query)
        if method == "POST" and path.startswith("/push/"):
            if self.faults.hold and not await self._held_until_release(reader):
                return 0, None, {}
            try:
                record = self._accept(path.removeprefix("/push/"), headers, body)
            except Reject as exc:
                self.attempts[exc.status] = self.attempts.get(exc.status, 0) + 1
                extra = {"Retry-After": str(self.faults.retry_after)} if self.faults.retry_after else {}
                return exc.status, {"error": exc.detail}, extra if exc.status in (429, 503) else {}
            self.attempts[201] = self.attempts.get(201, 0) + 1
            return (
                201,
                None,
                {"Location": f"{self.origin}/message/{record['message_id']}", "TTL": str(record["ttl"])},
            )
        data = json.loads(body or b"{}") if method == "POST" else {}
        if method == "POST" and path == "/subscriptions":
            sub = self.new_subscription(bool(data.get("generate_keys")), data.get("application_server_key"))
            return 201, sub, {}
        if method == "GET" and path == "/deliveries":
            since = int(query.get("since", ["0"])[0])
            return 200, {"deliveries": self.deliveries[since:], **self.stats()}, {}
        if method == "DELETE" and path == "/deliveries":
            self.deliveries.clear()
            self.attempts.clear()
            return 204, None, {}
        if method == "POST" and path == "/control":
            return 200, self.control(data), {}
        if method == "GET" and path == "/health":
            return 200, {"status": "ok", **self.stats()}, {}
        return 404, {"error": "not found"}, {}


async def serve(host: str, port: int, record_path: str | None = None) -> None:
    sim = PushSimulator(host, port, record_path)
    print(
        f"push simulator on {await sim.start()}  (POST /subscriptions, GET /deliveries, POST /control)",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await sim.close()
