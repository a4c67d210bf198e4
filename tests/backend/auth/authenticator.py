"""A software passkey authenticator: real P-256 keys, real CBOR, real signatures (no mocks)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """Holds resident credentials like a phone's platform authenticator (flags UP|UV)."""

    def __init__(self, origin: str = "http://localhost:8000"):
        self.origin = origin
        self.credentials: dict[bytes, dict[str, Any]] = {}

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        key = ec.generate_private_key(ec.SECP256R1())
        cred_id = os.urandom(16)
        numbers = key.public_key().public_numbers()
        cose = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )
        rp_id = options["rp"]["id"]
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([0x45])
            + struct.pack(">I", 0)
            + bytes(16)
            + struct.pack(">H", len(cred_id))
            + cred_id
            + cose
        )
        self.credentials[cred_id] = {
            "key": key,
            "rp_id": rp_id,
            "user": unb64u(options["user"]["id"]),
            "count": 0,
        }
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64u(cred_id),
            "rawId": b64u(cred_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64u(client_data),
                "attestationObject": b64u(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict[str, Any],
        origin: str | None = None,
        cred_id: bytes | None = None,
        count: int | None = None,
    ) -> dict[str, Any]:
        cred_id = cred_id or next(iter(self.credentials))
        cred = self.credentials[cred_id]
        cred["count"] = cred["count"] + 1 if count is None else count
        auth_data = (
            hashlib.sha256(options["rpId"].encode()).digest()
            + bytes([0x05])
            + struct.pack(">I", cred["count"])
        )
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = cred["key"].sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64u(cred_id),
            "rawId": b64u(cred_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64u(client_data),
                "authenticatorData": b64u(auth_data),
                "signature": b64u(signature),
                "userHandle": b64u(cred["user"]),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
