"""The canonical bytes an audit entry commits to: the Merkle leaf and the two digests inside it.

Canonical JSON here is UTF-8, keys sorted, no insignificant white space, and no floats (their
text differs between languages), so a browser, the standalone verifier and this server all
produce the same bytes. Timestamps are UTC with six fraction digits: `2026-11-28T08:00:00.000000Z`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

LEAF_VERSION = 1


_SCALARS = (str, int, bool, type(None))


def _refuse_floats(value: Any) -> None:
    flat = type(value) is dict and all(type(v) in _SCALARS for v in value.values())
    if flat and all(type(k) is str for k in value):
        return  # the common flat case, checked without recursion
    if isinstance(value, float):
        raise TypeError("audit details may not hold floats: send numbers as integers or strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("audit detail keys must be strings")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> bytes:
    _refuse_floats(value)
    return _CANONICAL.encode(value).encode()


def digest(value: Any) -> str:
    """Hex SHA-256 of the canonical JSON of `value`."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def leaf_data(
    *,
    index: int,
    time: str,
    actor: str | None,
    action: str,
    entity: str,
    entity_id: str,
    entity_version: int | None,
    details_digest: str,
    evidence_digest: str,
) -> bytes:
    """The bytes of leaf `index`; the index is inside, so moving a leaf changes its hash."""
    return _CANONICAL.encode(
        {
            "action": action,
            "actor": actor,
            "details": details_digest,
            "entity": entity,
            "entity_id": entity_id,
            "entity_version": entity_version,
            "evidence": evidence_digest,
            "index": index,
            "time": time,
            "v": LEAF_VERSION,
        }
    ).encode()
