"""The log key: generated once with mode 0600, stable id, retired keys still verify old heads."""

from __future__ import annotations

import base64
import hashlib
import stat

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.audit.keys import (
    KEY_FILE,
    RETIRED_DIR,
    load_signer,
    public_keys,
    tree_head_payload,
    verify_signature,
)


def test_the_key_is_created_private_and_reused(tmp_path):
    signer = load_signer(tmp_path)
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signer(tmp_path).key_id == signer.key_id
    spki = signer.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert signer.key_id == base64.b64encode(hashlib.sha256(spki).digest()).decode()


def test_signatures_cover_size_time_and_root(tmp_path):
    signer = load_signer(tmp_path)
    payload = tree_head_payload(1_790_000_000_000, 42, bytes(range(32)))
    assert len(payload) == 50 and payload[:2] == b"\x00\x01"
    signature = signer.sign(payload)
    assert len(signature) == 64 and verify_signature(signer.public_key, payload, signature)
    assert not verify_signature(
        signer.public_key, tree_head_payload(1_790_000_000_000, 43, bytes(range(32))), signature
    )
    assert not verify_signature(signer.public_key, payload, signature[:-1])


def test_retired_public_keys_still_count(tmp_path):
    old = ec.generate_private_key(ec.SECP256R1()).public_key()
    (tmp_path / RETIRED_DIR).mkdir()
    (tmp_path / RETIRED_DIR / "2026-01.pem").write_bytes(
        old.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    keys = public_keys(tmp_path)
    assert len(keys) == 2 and load_signer(tmp_path).key_id in keys
