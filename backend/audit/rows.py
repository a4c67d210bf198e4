"""A stored entry's row, rechecked: its digests and its leaf hash as its columns now stand."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from backend.audit import merkle
from backend.audit.leaf import digest, evidence_data, format_time, leaf_data

ENTRY_COLUMNS = (
    "leaf_index",  # 0
    "recorded_at",  # 1
    "actor_id",  # 2
    "action",  # 3
    "entity",  # 4
    "entity_id",  # 5
    "entity_version",  # 6
    "details",  # 7
    "details_digest",  # 8
    "channel",  # 9 … 14: the client evidence
    "ip",
    "user_agent",
    "credential_id",
    "device_id",
    "device_time",
    "evidence_digest",  # 15
    "leaf_hash",  # 16
)


def leaf_of(row: Sequence[Any], index: int) -> bytes:
    """The leaf hash the row's columns give at `index`."""
    return merkle.leaf_hash(
        leaf_data(
            index=index,
            time=format_time(row[1]),
            actor=str(row[2]) if row[2] else None,
            action=row[3],
            entity=row[4],
            entity_id=row[5],
            entity_version=row[6],
            details_digest=row[8],
            evidence_digest=row[15],
        )
    )


def digest_issue(row: Sequence[Any]) -> str | None:
    try:
        details_ok = digest(row[7]) == row[8]
    except (TypeError, ValueError):
        details_ok = False
    if not details_ok:
        return "its details no longer match their digest"
    if hashlib.sha256(evidence_data(*row[9:15])).hexdigest() != row[15]:
        return "its client evidence no longer matches its digest"
    return None


def describe(row: Sequence[Any]) -> str:
    return f"{row[3]} on {row[4]} {row[5]} at {format_time(row[1])}"


def check_rows(rows: Sequence[Sequence[Any]]) -> tuple[list[bytes], list[tuple[int, str]]]:
    """Leaf hashes of consecutive rows (each at its own index) and (offset, issue) of bad digests."""
    leaves, issues = [], []
    for offset, row in enumerate(rows):
        if issue := digest_issue(row):
            issues.append((offset, f"{issue} ({describe(row)})"))
        leaves.append(leaf_of(row, row[0]))
    return leaves, issues
