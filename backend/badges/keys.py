"""Badge signing keys in the data dir, rotation with overlap, revocation, and the signed trust list.

Layout under `<data>/keys/badges/`:
* `root.pem` — the trust-list key (P-256). It signs only the trust list; inspectors pin its public
  key when they sync online, and refuse a trust list it did not sign.
* `signers/<kid>.pem` — credential signing keys (P-256, mode 0600).
* `signers.json` — each key's window: `nb` (signs from), `na` (stops signing; credentials issued
  before it still verify), `rv` (revoked: nothing it signed verifies any more).

Rotation publishes the next key `overlap` ahead of its first signature, so every inspector who
syncs in that window already trusts it; the old key signs until then, and its credentials stay
valid until they expire.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.badges import cose
from backend.core.keyfiles import create_p256_key_once

DIR = "badges"
TRUST_LIST_VERSION = 1
UTC_OFFSET_S = 8 * 3600  # certificate dates are China local dates (UTC+8)
STALE_AFTER_S = 24 * 3600  # synced data older than this → amber


@dataclass
class KeyEntry:
    kid: str  # hex of the 8-byte COSE kid
    nb: int  # epoch seconds: signs from
    na: int | None = None  # stops signing at (rotation)
    rv: int | None = None  # revoked at
    reason: str = ""


def raw_public(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """Uncompressed point (65 bytes): WebCrypto imports it with format "raw"."""
    return public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def public_from_raw(raw: bytes) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


def _load(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"{path} is not a P-256 private key")
    return key


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


class BadgeKeys:
    """The key store of one data dir."""

    def __init__(self, keys_dir: Path, issuer: str):
        self.dir = keys_dir / DIR
        self.issuer = issuer

    # ------------------------------------------------------------------ files
    @property
    def _index(self) -> Path:
        return self.dir / "signers.json"

    def entries(self) -> list[KeyEntry]:
        if not self._index.exists():
            return []
        return [KeyEntry(**e) for e in json.loads(self._index.read_text())]

    def _save(self, entries: list[KeyEntry]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self._index.with_name(f".signers.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([asdict(e) for e in entries], indent=1))
        tmp.replace(self._index)

    def _new_signer(self) -> str:
        tmp = self.dir / "signers" / f".new-{os.getpid()}.pem"
        create_p256_key_once(tmp)
        kid = cose.key_id(_load(tmp).public_key()).hex()
        tmp.replace(self.dir / "signers" / f"{kid}.pem")
        return kid

    def private(self, kid: str) -> ec.EllipticCurvePrivateKey:
        return _load(self.dir / "signers" / f"{kid}.pem")

    def root(self) -> ec.EllipticCurvePrivateKey:
        path = self.dir / "root.pem"
        if not path.exists():
            create_p256_key_once(path)
        return _load(path)

    def root_public(self) -> bytes:
        return raw_public(self.root().public_key())

    # ------------------------------------------------------------------ lifecycle
    def ensure(self, now: datetime) -> None:
        """A first signing key, active from now, if there is none. Of processes racing to create
        it (API workers starting together), the first to link its index in place wins."""
        if self._index.exists():
            return
        kid = self._new_signer()
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self._index.with_name(f".signers.first.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([asdict(KeyEntry(kid=kid, nb=_epoch(now) - 60))], indent=1))
        try:
            os.link(tmp, self._index)
        except FileExistsError:
            (self.dir / "signers" / f"{kid}.pem").unlink(missing_ok=True)  # another process won
        finally:
            tmp.unlink()

    def signer(self, now: datetime) -> tuple[str, ec.EllipticCurvePrivateKey]:
        """The key that signs now: the newest whose window is open and that is not revoked."""
        self.ensure(now)
        t = _epoch(now)
        usable = [e for e in self.entries() if e.rv is None and e.nb <= t and (e.na is None or t < e.na)]
        if not usable:
            raise LookupError("no usable badge signing key: rotate (tezuo badge rotate)")
        entry = max(usable, key=lambda e: e.nb)
        return entry.kid, self.private(entry.kid)

    def rotate(self, now: datetime, overlap: timedelta) -> KeyEntry:
        """Publish a new key now; it signs from now + overlap, when the current key stops."""
        self.ensure(now)
        start = _epoch(now + overlap)
        entries = self.entries()
        for e in entries:
            if e.rv is None and (e.na is None or e.na > start):
                e.na = start
        new = KeyEntry(kid=self._new_signer(), nb=start)
        self._save([*entries, new])
        return new

    def revoke(self, kid: str, now: datetime, reason: str) -> KeyEntry:
        entries = self.entries()
        for e in entries:
            if e.kid == kid:
                e.rv, e.reason = _epoch(now), reason[:200]
                self._save(entries)
                return e
        raise LookupError(f"no badge key {kid}")

    # ------------------------------------------------------------------ trust list
    def trust_list(self, now: datetime) -> bytes:
        """The signed trust list: every key with its window, public point and revocation."""
        self.ensure(now)
        keys = [(e, self.private(e.kid).public_key()) for e in self.entries()]
        return build_trust_list(self.root(), self.issuer, _epoch(now), keys)


def build_trust_list(
    root: ec.EllipticCurvePrivateKey,
    issuer: str,
    iat: int,
    keys: list[tuple[KeyEntry, ec.EllipticCurvePublicKey]],
    tz: int = UTC_OFFSET_S,
    stale: int = STALE_AFTER_S,
) -> bytes:
    body = {
        "v": TRUST_LIST_VERSION,
        "iss": issuer,
        "iat": iat,
        "tz": tz,
        "stale": stale,
        "keys": [
            {"kid": bytes.fromhex(e.kid), "pub": raw_public(pub), "nb": e.nb, "na": e.na, "rv": e.rv}
            for e, pub in keys
        ],
    }
    return cose.sign(root, cbor2.dumps(body), cose.key_id(root.public_key()))
