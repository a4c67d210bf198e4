"""COSE_Sign1 (RFC 9052 §4.2) with ES256 (P-256, SHA-256), written out with `cryptography`.

COSE_Sign1 = [protected: bstr(map), unprotected: map, payload: bstr, signature: bstr], tag 18.
The signature covers Sig_structure = ["Signature1", protected, external_aad (empty), payload],
and is raw r‖s (64 bytes), which WebCrypto verifies as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

TAG_SIGN1 = 18
ALG = 1
KID = 4
ES256 = -7


class CoseError(ValueError):
    """Not a well-formed COSE_Sign1 of the kind we issue."""


@dataclass(frozen=True)
class Sign1:
    protected: bytes  # the encoded protected header, exactly as signed
    kid: bytes
    payload: bytes
    signature: bytes


def key_id(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The first 8 bytes of SHA-256 over the key's DER SubjectPublicKeyInfo (as EU DCC does)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:8]


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(private_key: ec.EllipticCurvePrivateKey, payload: bytes, kid: bytes) -> bytes:
    """The tagged COSE_Sign1 bytes of `payload` signed with `private_key`."""
    protected = cbor2.dumps({ALG: ES256, KID: kid})
    der = private_key.sign(sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, [protected, {}, payload, signature]))


def parse(data: bytes) -> Sign1:
    """Split COSE_Sign1 bytes into its parts; nothing is verified yet."""
    try:
        obj: Any = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types for bad input
        raise CoseError(f"not CBOR: {exc}") from None
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != TAG_SIGN1:
            raise CoseError(f"CBOR tag {obj.tag} is not COSE_Sign1")
        obj = obj.value
    if not isinstance(obj, list | tuple) or len(obj) != 4:
        raise CoseError("COSE_Sign1 must be an array of four")
    protected, unprotected, payload, signature = obj
    if not isinstance(protected, bytes) or not isinstance(unprotected, Mapping):
        raise CoseError("COSE_Sign1 headers malformed")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise CoseError("COSE_Sign1 payload or signature is not a byte string")
    try:
        header = cbor2.loads(protected) if protected else {}
    except Exception:
        raise CoseError("protected header is not CBOR") from None
    if not isinstance(header, Mapping) or header.get(ALG) != ES256:
        raise CoseError("algorithm must be ES256")
    kid = header.get(KID, unprotected.get(KID))
    if not isinstance(kid, bytes):
        raise CoseError("no key id")
    return Sign1(protected, kid, payload, signature)


def verify(public_key: ec.EllipticCurvePublicKey, msg: Sign1) -> bool:
    if len(msg.signature) != 64:
        return False
    r, s = int.from_bytes(msg.signature[:32], "big"), int.from_bytes(msg.signature[32:], "big")
    try:
        public_key.verify(
            encode_dss_signature(r, s), sig_structure(msg.protected, msg.payload), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        return False
    return True
