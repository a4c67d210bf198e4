"""The shared vectors (pwa/src/badges/vectors.json) against the Python verifier; the TypeScript
verifier runs the same file (pwa/src/badges/verify.test.ts)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from backend.badges.verify import Synced, TrustError, load_trust_list, verify

VECTORS = json.loads(
    (Path(__file__).resolve().parents[3] / "pwa" / "src" / "badges" / "vectors.json").read_text()
)
ROOT = base64.b64decode(VECTORS["root"])
TRUST = load_trust_list(base64.b64decode(VECTORS["trust_list"]), ROOT)


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_vector(case: dict[str, Any]) -> None:
    synced = msgspec.convert(case["synced"], Synced) if case["synced"] else None
    v = verify(case["text"], TRUST, case["now"], synced, case["required"])
    got = {
        "verdict": v.verdict,
        "codes": sorted(r["code"] for r in v.reasons),
        "name": v.worker["name"] if v.worker else None,
    }
    assert got == case["expect"]


def test_the_vectors_cover_the_issue_list() -> None:
    codes = {c for case in VECTORS["cases"] for c in case["expect"]["codes"]}
    for needed in (
        "expired",
        "not_yet_valid",
        "bad_signature",
        "unknown_key",
        "key_not_valid_then",
        "key_revoked",
        "worker_frozen",
        "certificate_missing",
        "bad_base45",
        "bad_zlib",
        "bad_cose",
        "bad_payload",
    ):
        assert needed in codes
    assert {c["expect"]["verdict"] for c in VECTORS["cases"]} == {"green", "amber", "red"}


@pytest.mark.parametrize("bad", VECTORS["trust_list_bad"], ids=lambda b: b["name"])
def test_trust_list_refused(bad: dict[str, str]) -> None:
    with pytest.raises(TrustError):
        load_trust_list(base64.b64decode(bad["data"]), ROOT)
