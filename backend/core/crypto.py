"""Field encryption and blind indexes for sensitive personal information (PIPL Art. 28)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A 32-byte subkey per purpose, so one leaked subkey exposes one use only."""
    return HKDF(algorithm=SHA256(), length=32, salt=b"tezuo", info=purpose.encode()).derive(secret)


class FieldCipher:
    """AES-256-GCM for one column family plus an HMAC blind index for equality look-ups."""

    def __init__(self, secret: bytes, purpose: str):
        self._aead = AESGCM(derive_key(secret, f"{purpose}:enc"))
        self._index_key = derive_key(secret, f"{purpose}:idx")
        self._aad = purpose.encode()

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), self._aad)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        raw = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(raw[:12], raw[12:], self._aad).decode()

    def blind_index(self, plaintext: str) -> str:
        return hmac.new(self._index_key, plaintext.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Session and enrollment tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
