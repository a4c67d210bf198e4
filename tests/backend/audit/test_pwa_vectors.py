"""pwa/src/audit/vectors.ts (what the browser verifier's tests check) still matches the backend's
leaf format, and its proofs and signatures hold by the independent RFC verifier."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from backend.audit import merkle
from backend.audit.keys import tree_head_payload, verify_signature
from backend.audit.leaf import digest, leaf_data
from tests.backend.audit import rfc6962

VECTORS = Path(__file__).resolve().parents[3] / "pwa" / "src" / "audit" / "vectors.ts"


def _vectors() -> dict:
    text = VECTORS.read_text(encoding="utf-8")
    return json.loads(text[text.index("= {") + 2 : text.rindex(";")])


def _signed(head: dict, key) -> bool:
    payload = tree_head_payload(
        head["timestamp"], head["tree_size"], base64.b64decode(head["sha256_root_hash"])
    )
    return verify_signature(key, payload, base64.b64decode(head["tree_head_signature"]))


def test_the_browser_vectors_match_the_backend():
    v = _vectors()
    key = serialization.load_pem_public_key(v["key"]["public_key_pem"].encode())
    head, old = v["history"]["tree_head"], v["old_head"]
    assert _signed(head, key) and _signed(old, key)
    root = base64.b64decode(head["sha256_root_hash"])
    for e in v["history"]["entries"]:
        assert digest(e["details"]) == e["details_digest"]
        if e["evidence"] is not None:
            assert digest(e["evidence"]) == e["evidence_digest"]
        data = leaf_data(
            index=e["leaf_index"],
            time=e["time"],
            actor=e["actor_id"],
            action=e["action"],
            entity=e["entity"],
            entity_id=e["entity_id"],
            entity_version=e["entity_version"],
            details_digest=e["details_digest"],
            evidence_digest=e["evidence_digest"],
        )
        leaf = merkle.leaf_hash(data)
        assert base64.b64encode(leaf).decode() == e["leaf_hash"]
        if e["audit_path"] is not None:
            path = [base64.b64decode(h) for h in e["audit_path"]]
            assert rfc6962.verify_inclusion(leaf, e["leaf_index"], head["tree_size"], path, root)
    proof = [base64.b64decode(h) for h in v["consistency"]]
    old_root = base64.b64decode(old["sha256_root_hash"])
    assert rfc6962.verify_consistency(old["tree_size"], head["tree_size"], old_root, root, proof)
    assert hashlib.sha256(
        base64.b64decode(v["key"]["public_key_pem"].split("-----")[2])
    ).digest() == base64.b64decode(v["key"]["key_id"])
