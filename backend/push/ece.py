"""The receiving side of Web Push encryption (RFC 8291 over RFC 8188 aes128gcm), for the simulator and tests.

The server never decrypts: it encrypts with pywebpush. This is what a browser does with a push
message, written from the RFCs, so that tests can check the bytes on the wire independently.
"""

from __future__ import annotations

import base64
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class DecryptError(ValueError):
    pass


def _b64d(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass(frozen=True)
class UserAgentKeys:
    """What a browser keeps for one subscription: its P-256 key pair and the auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def generate(cls) -> UserAgentKeys:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def subscription_keys(self) -> dict[str, str]:
        """The `keys` of `PushSubscription.toJSON()`."""
        return {"p256dh": _b64e(self.public_bytes), "auth": _b64e(self.auth_secret)}


def decrypt(body: bytes, keys: UserAgentKeys) -> bytes:
    """Decrypt one aes128gcm push message body (RFC 8291 §3.4, RFC 8188 §2)."""
    if len(body) < 21:
        raise DecryptError("body shorter than the aes128gcm header")
    salt, record_size, id_len = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
    if record_size < 18:
        raise DecryptError("record size too small")
    as_public = body[21 : 21 + id_len]  # RFC 8291 §4: keyid is the sender's ephemeral public key
    if id_len != 65 or as_public[:1] != b"\x04":
        raise DecryptError("keyid is not an uncompressed P-256 public key")
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
    ecdh_secret = keys.private_key.exchange(ec.ECDH(), sender)
    # RFC 8291 §3.4: IKM from the ECDH secret, keyed by the auth secret, bound to both public keys.
    key_info = b"WebPush: info\x00" + keys.public_bytes + as_public
    ikm = _hkdf(keys.auth_secret, ecdh_secret, key_info, 32)
    # RFC 8188 §2.2 / §2.3: content-encryption key and nonce from the salt.
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    base_nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    aead = AESGCM(cek)
    ciphertext = body[21 + id_len :]
    out = bytearray()
    records = [ciphertext[i : i + record_size] for i in range(0, len(ciphertext), record_size)]
    if not records:
        raise DecryptError("no records")
    for seq, record in enumerate(records):
        nonce = (int.from_bytes(base_nonce, "big") ^ seq).to_bytes(12, "big")
        try:
            plain = aead.decrypt(nonce, record, None)
        except Exception as exc:  # InvalidTag: wrong key, or bytes changed on the way
            raise DecryptError(f"record {seq} does not authenticate") from exc
        # RFC 8188 §2: data, then a delimiter (2 on the last record, 1 before), then zero padding.
        stripped = plain.rstrip(b"\x00")
        last = seq == len(records) - 1
        if not stripped or stripped[-1] != (2 if last else 1):
            raise DecryptError(f"record {seq} has a wrong padding delimiter")
        out += stripped[:-1]
    return bytes(out)


def keys_from_private(private_b64: str, auth_b64: str) -> UserAgentKeys:
    """Rebuild a browser's keys from a raw 32-byte private scalar and the auth secret (base64url)."""
    scalar = int.from_bytes(_b64d(private_b64), "big")
    return UserAgentKeys(ec.derive_private_key(scalar, ec.SECP256R1()), _b64d(auth_b64))


def private_b64(keys: UserAgentKeys) -> str:
    return _b64e(keys.private_key.private_numbers().private_value.to_bytes(32, "big"))
