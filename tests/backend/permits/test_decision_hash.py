"""The canonical decision bytes match the vectors the PWA is tested against (pwa/src/permits)."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest

from backend.permits.approvals import canonical_decision, challenge_of
from backend.permits.schemas import Location

VECTORS = json.loads(
    (Path(__file__).resolve().parents[3] / "pwa" / "src" / "permits" / "decision-vectors.json").read_text()
)["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["input"]["step"] for v in VECTORS])
def test_canonical_decision_matches_the_shared_vectors(vector) -> None:
    given = vector["input"]
    loc = given["location"]
    canonical = canonical_decision(
        permit_id=uuid.UUID(given["permit_id"]),
        permit_version=given["permit_version"],
        content_sha256=given["content_sha256"],
        step=given["step"],
        decision=given["decision"],
        comment=given["comment"],
        location=None if loc is None else Location(**loc),
        signed_at=given["signed_at"],
    )
    assert canonical.decode() == vector["canonical"]
    assert challenge_of(canonical) == hashlib.sha256(canonical).digest()
    assert hashlib.sha256(canonical).hexdigest() == vector["sha256"]


def test_the_canonical_form_is_sorted_compact_utf8() -> None:
    text = VECTORS[0]["canonical"]
    keys = list(json.loads(text))
    assert keys == sorted(keys) and ", " not in text and "\\u" not in text
