"""The canonical bytes an audit entry commits to: the Merkle leaf and the two digests inside it.

Canonical JSON here is UTF-8, keys sorted, no insignificant white space, and no floats (their
text differs between languages), so a browser, the standalone verifier and this server all
produce the same bytes. Timestamps are UTC with six fraction digits: `2026-11-28T08:00:00.000000Z`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from json.encoder import encode_basestring as _quote
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


def _str(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def evidence_data(
    channel: str,
    ip: str,
    user_agent: str,
    credential_id: str | None,
    device_id: str | None,
    device_time: str | None,
) -> bytes:
    """Canonical JSON of the client evidence (keys sorted), written out like the leaf."""
    return (
        f'{{"channel":{_quote(channel)},"credential_id":{_str(credential_id)},"device_id":{_str(device_id)},'
        f'"device_time":{_str(device_time)},"ip":{_quote(ip)},"user_agent":{_quote(user_agent)}}}'
    ).encode()


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
    """The bytes of leaf `index`; the index is inside, so moving a leaf changes its hash.

    Written out key by key (sorted) for speed; byte for byte what the canonical encoder gives
    for {"action", "actor", "details", "entity", "entity_id", "entity_version", "evidence",
    "index", "time", "v"} (tests/backend/audit/test_leaf.py holds it to that).
    """
    return (
        f'{{"action":{_quote(action)},"actor":{_str(actor)},"details":{_quote(details_digest)},'
        f'"entity":{_quote(entity)},"entity_id":{_quote(entity_id)},"entity_version":{_int(entity_version)},'
        f'"evidence":{_quote(evidence_digest)},"index":{int(index)},"time":{_quote(time)},"v":{LEAF_VERSION}}}'
    ).encode()
