"""The credential: CBOR claims → COSE_Sign1 → zlib → base45 → "TZ1:" text for an alphanumeric QR.

Claims (CWT numbering where one exists): 1 iss, 4 exp, 6 iat, and -65537 our claim, a map:
    t  "d" dynamic code (full details) | "b" printed badge (worker id only)
    w  worker id (16 bytes)
    n  name · m masked ID number · p photo SHA-256, first 16 bytes · s "active" | "frozen"
    v  open violations · c certificates: [family, item key, masked number, valid until, review due]
       (dates as days since 1970-01-01; review due may be null)
The key id travels in the signed protected header (COSE label 4).
"""

from __future__ import annotations

import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from backend.badges import base45, cose

PREFIX = "TZ1:"
CLAIM = -65537
EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True)
class Cert:
    family: str
    item: str
    number: str  # masked
    valid_until: date
    review_due: date | None = None

    def wire(self) -> list[object]:
        due = day_number(self.review_due) if self.review_due else None
        return [self.family, self.item, self.number, day_number(self.valid_until), due]


@dataclass(frozen=True)
class Claims:
    issuer: str
    worker_id: uuid.UUID
    issued_at: int  # epoch seconds
    expires_at: int
    kind: str = "d"  # d | b
    name: str = ""
    id_masked: str = ""
    photo_hash: bytes = b""
    status: str = "active"
    violations: int = 0
    certs: list[Cert] = field(default_factory=list)

    def cbor(self) -> bytes:
        inner: dict[str, object] = {"t": self.kind, "w": self.worker_id.bytes}
        if self.kind == "d":
            inner |= {
                "n": self.name,
                "m": self.id_masked,
                "p": self.photo_hash,
                "s": self.status,
                "v": self.violations,
                "c": [c.wire() for c in self.certs],
            }
        return cbor2.dumps({1: self.issuer, 4: self.expires_at, 6: self.issued_at, CLAIM: inner})


def seal(payload: bytes) -> str:
    """COSE bytes → the QR text."""
    return PREFIX + base45.encode(zlib.compress(payload, 9))


def issue(claims: Claims, kid: bytes, key: ec.EllipticCurvePrivateKey) -> str:
    return seal(cose.sign(key, claims.cbor(), kid))


def epoch(at: datetime) -> int:
    return int(at.timestamp())
