"""A deterministic passkey for test vectors: fixed P-256 key, RFC 6979 signatures, real WebAuthn bytes."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """The same passkey every run (seeded), so the committed vectors can be rebuilt byte for byte."""

    def __init__(self, seed: int, user_handle: bytes = b"", rp_id: str = "localhost"):
        self.key = ec.derive_private_key(seed, ec.SECP256R1())
        self.credential_id = hashlib.sha256(f"tezuo-test-credential-{seed}".encode()).digest()[:16]
        self.user_handle = user_handle or self.credential_id
        self.rp_id = rp_id
        self.count = 0

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64u(numbers.x.to_bytes(32, "big")),
            "y": b64u(numbers.y.to_bytes(32, "big")),
        }

    def credential(self) -> dict[str, Any]:
        """How a vector lists this passkey: COSE for Python, JWK for WebCrypto."""
        return {"id": b64u(self.credential_id), "cose": b64u(self.cose_public_key()), "jwk": self.jwk()}

    def assertion(
        self, challenge: bytes, origin: str = "http://localhost:8000", uv: bool = True
    ) -> dict[str, Any]:
        """navigator.credentials.get() output for `challenge`, as the PWA sends it."""
        self.count += 1
        flags = 0x05 if uv else 0x01
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.count)
        )
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": b64u(challenge), "origin": origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(),
            ec.ECDSA(hashes.SHA256(), deterministic_signing=True),
        )
        return {
            "id": b64u(self.credential_id),
            "rawId": b64u(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64u(client_data),
                "authenticatorData": b64u(auth_data),
                "signature": b64u(signature),
                "userHandle": b64u(self.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
