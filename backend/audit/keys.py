"""The log's signing key (ECDSA P-256) and the RFC 6962 §3.5 tree-head signature.

The key lives in the data dir (`keys/audit-log.pem`, mode 0600), generated on first use. Its id is
the base64 SHA-256 of the public key's DER SubjectPublicKeyInfo, as a CT log id. Signatures are
raw r‖s (64 bytes, IEEE P1363) so browsers can check them with WebCrypto as they are.
Public keys of retired signing keys go in `keys/audit-retired/*.pem` so old heads still verify.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from backend.core.keyfiles import create_p256_key_once

KEY_FILE = "audit-log.pem"
RETIRED_DIR = "audit-retired"
ALGORITHM = "ecdsa-p256-sha256"


def tree_head_payload(timestamp_ms: int, tree_size: int, root_hash: bytes) -> bytes:
    """TreeHeadSignature: version v1(0), signature_type tree_hash(1), uint64 timestamp, uint64 size, root."""
    return struct.pack(">BBQQ", 0, 1, timestamp_ms, tree_size) + root_hash


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def public_pem(public_key: ec.EllipticCurvePublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


class LogSigner:
    """Signs tree heads with the log's private key."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey):
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, payload: bytes) -> bytes:
        r, s = decode_dss_signature(self._key.sign(payload, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_signature(public_key: ec.EllipticCurvePublicKey, payload: bytes, signature: bytes) -> bool:
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def load_signer(keys_dir: Path) -> LogSigner:
    """The log key from the data dir, generated (mode 0600) if absent."""
    path = keys_dir / KEY_FILE
    if not path.exists():
        create_p256_key_once(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"{path} is not a P-256 private key")
    return LogSigner(key)


def public_keys(keys_dir: Path) -> dict[str, ec.EllipticCurvePublicKey]:
    """Every public key that may have signed a tree head here: the current one and retired ones."""
    keys: dict[str, ec.EllipticCurvePublicKey] = {}
    current = load_signer(keys_dir)
    keys[current.key_id] = current.public_key
    for pem in sorted((keys_dir / RETIRED_DIR).glob("*.pem")):
        public = serialization.load_pem_public_key(pem.read_bytes())
        if isinstance(public, ec.EllipticCurvePublicKey):
            keys[key_id(public)] = public
    return keys
