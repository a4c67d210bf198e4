"""VAPID (RFC 8292): the server's P-256 key in the data dir, and the signed header per push service."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

KEY_FILE = "vapid_private.pem"
# RFC 8292 §2: `exp` at most 24 h ahead; a header is reused until an hour before it expires.
TOKEN_SECONDS = 12 * 3600
REFRESH_BEFORE = 3600


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def load_or_create(keys_dir: Path) -> Vapid02:
    """The installation's VAPID key, generated once (0600). Every API worker must share it:
    browsers bind their subscription to this public key (`applicationServerKey`)."""
    path = keys_dir / KEY_FILE
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = keys_dir / f".{KEY_FILE}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            os.link(tmp, path)  # atomic and exclusive: a worker racing us keeps the first key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return Vapid02.from_pem(path.read_bytes())


def application_server_key(vapid: Vapid02) -> str:
    """The public key as the browser's `applicationServerKey` wants it: uncompressed point, base64url."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)


def audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class VapidSigner:
    """Authorization headers, one JWT per push-service origin, re-signed before it expires."""

    def __init__(self, vapid: Vapid02, subject: str):
        self.vapid = vapid
        self.vapid.conf["no-strict"] = True  # any subject is allowed; a mailto: is conventional
        self.subject = subject
        self._cache: dict[str, tuple[float, str]] = {}

    def header(self, endpoint: str) -> str:
        aud = audience(endpoint)
        now = time.time()  # the push service checks `exp` against its own clock, so wall time
        cached = self._cache.get(aud)
        if cached and cached[0] - now > REFRESH_BEFORE:
            return cached[1]
        exp = int(now) + TOKEN_SECONDS
        value: str = self.vapid.sign({"aud": aud, "sub": self.subject, "exp": exp})["Authorization"]
        self._cache[aud] = (exp, value)
        return value
