"""Recording entries, issuing signed tree heads, and proofs; the only writer of the audit tables.

Leaf indexes are dense and race-free: an appender's first statement is an UPDATE of the single
log-head row (`size = size + n … RETURNING`). On PostgreSQL that row lock is held until the
appender's transaction ends, so concurrent appenders queue behind it and each sees the size its
predecessor committed; a rolled-back appender rolls its increment back too, so no gap is left.
SQLite has one writer at a time anyway, and the UPDATE is what takes its write lock. (When the
head is still the one this process last wrote, that first UPDATE is a guarded one that also writes
the new edge: `_append_known`.)
Callers record after the last row they lock, so no transaction waits on a row while holding the head.
"""

from __future__ import annotations

import hashlib
import uuid
import weakref
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, literal, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import merkle
from backend.audit.keys import LogSigner, tree_head_payload
from backend.audit.leaf import canonical_json, evidence_data, format_time, leaf_data
from backend.audit.models import NODE_LEVEL_SHIFT, AuditEntry, AuditLogHead, AuditNode, TreeHead, node_key
from backend.audit.schemas import Evidence, Record
from backend.core.errors import DomainError, Invalid

HEAD_ID = 1
MAX_DETAILS_BYTES = 4096
HEAD_REFRESH = timedelta(hours=1)  # a scheduled call re-signs an unchanged log this often
API_MIN_INTERVAL = timedelta(seconds=1)  # POST /api/audit/sth signs at most this often (one ECDSA sign)
_IN_CHUNK = 500
_INDEX_MASK = (1 << NODE_LEVEL_SHIFT) - 1

entries_t = cast(Table, AuditEntry.__table__)
nodes_t = cast(Table, AuditNode.__table__)
head_t = cast(Table, AuditLogHead.__table__)


class AuditIntegrityError(DomainError):
    """The stored log contradicts itself or a signed head: stop and run `tezuo audit verify`."""

    status = 500
    code = "audit_inconsistent"


EVIDENCE_KEY = "tezuo_audit_evidence"


def use_evidence(db: AsyncSession, evidence: Evidence) -> None:
    """Make `evidence` the default of entries recorded in this session (the HTTP layer sets the
    request's, so domain services need not pass it along)."""
    db.info[EVIDENCE_KEY] = evidence


def session_evidence(db: AsyncSession) -> Evidence:
    """The evidence entries recorded in this session get unless they bring their own."""
    found = db.info.get(EVIDENCE_KEY)
    return found if isinstance(found, Evidence) else Evidence()


def bounded(details: dict[str, Any]) -> dict[str, Any]:
    """`details`, or its digest in their place when they are too large for an entry."""
    if len(canonical_json(details)) <= MAX_DETAILS_BYTES:
        return details
    return {"oversize_details_sha256": hashlib.sha256(canonical_json(details)).hexdigest()}


def _prepare(
    item: Record, now: datetime, default: Evidence, seen: dict[Evidence, tuple[Evidence, str]]
) -> dict[str, Any]:
    """Validate an entry and compute its digests: everything but the leaf index and hash.
    `seen` remembers evidence already hashed in this batch (one request's entries share it)."""
    if not item.action or len(item.action) > 64 or not item.entity or len(item.entity) > 64:
        raise ValueError("audit action and entity must be 1–64 characters")
    if not item.entity_id or len(item.entity_id) > 64:
        raise ValueError("audit entity_id must be 1–64 characters")
    details = canonical_json(item.details)
    if len(details) > MAX_DETAILS_BYTES:
        raise ValueError(f"audit details above {MAX_DETAILS_BYTES} bytes: record a digest instead")
    given = item.evidence or default
    if given not in seen:
        clipped = given.clipped()
        data = evidence_data(
            clipped.channel,
            clipped.ip,
            clipped.user_agent,
            clipped.credential_id,
            clipped.device_id,
            clipped.device_time,
        )
        seen[given] = (clipped, hashlib.sha256(data).hexdigest())
    evidence, evidence_digest = seen[given]
    return {
        "recorded_at": now,
        "actor_id": item.actor_id,
        "action": item.action,
        "entity": item.entity,
        "entity_id": item.entity_id,
        "entity_version": item.entity_version,
        "details": item.details,
        "details_digest": hashlib.sha256(details).hexdigest(),
        **evidence.as_dict(),
        "evidence_digest": evidence_digest,
    }


def _place(row: dict[str, Any], index: int, time: str) -> dict[str, Any]:
    """Give a prepared entry its leaf index and leaf hash."""
    data = leaf_data(
        index=index,
        time=time,
        actor=str(row["actor_id"]) if row["actor_id"] else None,
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        entity_version=row["entity_version"],
        details_digest=row["details_digest"],
        evidence_digest=row["evidence_digest"],
    )
    return {**row, "leaf_index": index, "leaf_hash": merkle.leaf_hash(data)}


async def _reserve(db: AsyncSession, count: int, now: datetime) -> merkle.CompactRange:
    """Lock the head row and move it `count` leaves on; return the tree's edge before them."""
    bump = (
        update(head_t)
        .where(head_t.c.id == HEAD_ID)
        .values(size=head_t.c.size + count)
        .returning(head_t.c.size, head_t.c.frontier)
    )
    row = (await db.execute(bump)).first()
    if row is None:  # first entry ever: create the head, racing creators do nothing
        dialect = db.get_bind().dialect.name
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        blank = {"id": HEAD_ID, "size": 0, "frontier": b"", "root_hash": merkle.EMPTY_ROOT, "updated_at": now}
        await db.execute(make(head_t).values(**blank).on_conflict_do_nothing())
        row = (await db.execute(bump)).one()
    size, frontier = row
    return merkle.CompactRange.from_bytes(size - count, frontier)


async def record_many(db: AsyncSession, now: datetime, items: Sequence[Record]) -> list[int]:
    """Append entries in the caller's transaction; returns their leaf indexes."""
    if not items:
        return []
    seen: dict[Evidence, tuple[Evidence, str]] = {}
    default = session_evidence(db)
    prepared = [_prepare(item, now, default, seen) for item in items]  # refuse bad input before locking
    bind = db.get_bind()
    bind = getattr(bind, "engine", bind)  # a session bound to a connection: its engine
    known = _HEADS.get(bind)
    if known is not None and (placed := await _append_known(db, now, prepared, known)) is not None:
        start, edge = placed
    else:
        edge = await _reserve(db, len(items), now)
        start = edge.size
        rows, nodes = _grow(edge, prepared, now)
        await _insert(db, rows, nodes)
        await db.execute(
            update(head_t)
            .where(head_t.c.id == HEAD_ID)
            .values(frontier=edge.to_bytes(), root_hash=edge.root(), updated_at=now)
        )
    _HEADS[bind] = (edge.size, edge.root(), edge.to_bytes())
    return [start + i for i in range(len(items))]


# The log head as this process last wrote it, per engine: (size, root, frontier). An appender that
# finds the stored head still at that size and root moves it on in one guarded UPDATE instead of a
# reserving UPDATE plus a second one for the new edge. Equal size and root mean an equal frontier
# (the root is a hash of the frontier), so the edge computed from the cached one is the stored one;
# any other writer (another process, a rolled-back transaction) makes the guard miss, and the
# appender takes the reserving path, which needs no cache.
_HEADS: weakref.WeakKeyDictionary[Any, tuple[int, bytes, bytes]] = weakref.WeakKeyDictionary()


async def _append_known(
    db: AsyncSession, now: datetime, prepared: list[dict[str, Any]], known: tuple[int, bytes, bytes]
) -> tuple[int, merkle.CompactRange] | None:
    """Append after the head this process last wrote, if it is still the stored head (else None)."""
    size, root, frontier = known
    edge = merkle.CompactRange.from_bytes(size, frontier)
    rows, nodes = _grow(edge, prepared, now)
    moved = await db.execute(
        update(head_t)
        .where(head_t.c.id == HEAD_ID, head_t.c.size == size, head_t.c.root_hash == root)
        .values(size=edge.size, frontier=edge.to_bytes(), root_hash=edge.root(), updated_at=now)
        .returning(head_t.c.size)
    )
    if moved.first() is None:
        return None
    await _insert(db, rows, nodes)
    return size, edge


def _grow(
    edge: merkle.CompactRange, prepared: list[dict[str, Any]], now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Place the entries after `edge` (which grows to include them): their rows and new subtree nodes."""
    start, time = edge.size, format_time(now)
    rows = [_place(row, start + i, time) for i, row in enumerate(prepared)]
    nodes = []
    for row in rows:
        for level, index, h in edge.append(row["leaf_hash"]):
            nodes.append({"node_key": node_key(level, index), "hash": h})
    return rows, nodes


async def _insert(db: AsyncSession, rows: list[dict[str, Any]], nodes: list[dict[str, Any]]) -> None:
    await db.execute(insert(entries_t), rows)
    if nodes:
        await db.execute(insert(nodes_t), nodes)


async def record(
    db: AsyncSession,
    now: datetime,
    *,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str,
    entity_version: int | None = None,
    actor_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    evidence: Evidence | None = None,
) -> int:
    """Record one entry in the caller's transaction (the one function domains call). Without
    `evidence`, the entry carries the session's: the request's client evidence under the API."""
    item = Record(
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        entity_version=entity_version,
        actor_id=actor_id,
        details=details or {},
        evidence=evidence,
    )
    return (await record_many(db, now, [item]))[0]


async def log_size(db: AsyncSession) -> int:
    return await db.scalar(select(head_t.c.size).where(head_t.c.id == HEAD_ID)) or 0


async def fetch_hashes(
    db: AsyncSession, wanted: set[merkle.Piece], tree_size: int | None = None
) -> dict[merkle.Piece, bytes]:
    """Stored hashes of perfect subtrees in one round trip: leaves from the entries, higher
    levels from the nodes. A missing one means `tree_size` is beyond the log, or damage."""
    found: dict[merkle.Piece, bytes] = {}
    leaves = sorted(i for level, i in wanted if level == 0)
    keys = sorted(node_key(level, i) for level, i in wanted if level > 0)
    for start in range(0, max(len(leaves), len(keys)), _IN_CHUNK):
        parts = []
        if chunk := leaves[start : start + _IN_CHUNK]:
            parts.append(
                select(literal(0).label("kind"), entries_t.c.leaf_index, entries_t.c.leaf_hash).where(
                    entries_t.c.leaf_index.in_(chunk)
                )
            )
        if chunk := keys[start : start + _IN_CHUNK]:
            parts.append(
                select(literal(1).label("kind"), nodes_t.c.node_key, nodes_t.c.hash).where(
                    nodes_t.c.node_key.in_(chunk)
                )
            )
        rows = await db.execute(union_all(*parts) if len(parts) > 1 else parts[0])
        for kind, key, h in rows:
            found[(key >> NODE_LEVEL_SHIFT, key & _INDEX_MASK) if kind else (0, key)] = h
    if missing := wanted - found.keys():
        if tree_size is not None and tree_size > await log_size(db):
            raise Invalid("tree_size is beyond the log", code="tree_size_unknown")
        raise AuditIntegrityError(
            f"audit log is missing {len(missing)} stored subtree(s), e.g. {min(missing)}"
        )
    return found


def _range_hashes(ranges: list[tuple[int, int]], stored: dict[merkle.Piece, bytes]) -> list[bytes]:
    return [merkle.range_hash(lo, hi, stored.__getitem__) for lo, hi in ranges]


async def inclusion_proofs(
    db: AsyncSession, indexes: Sequence[int], tree_size: int
) -> dict[int, tuple[bytes, list[bytes]]]:
    """Leaf hash and audit path (RFC 6962 §2.1.1) of several leaves in the tree of `tree_size`,
    fetched in one round trip."""
    shapes = {}
    for m in indexes:
        if not 0 <= m < tree_size:
            raise Invalid(f"leaf {m} is not in a tree of size {tree_size}", code="leaf_index_invalid")
        shapes[m] = merkle.inclusion_ranges(m, tree_size)
    wanted = merkle.pieces_of(r for ranges in shapes.values() for r in ranges) | {(0, m) for m in shapes}
    stored = await fetch_hashes(db, wanted, tree_size)
    return {m: (stored[(0, m)], _range_hashes(ranges, stored)) for m, ranges in shapes.items()}


async def consistency_proof(db: AsyncSession, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[second]) (RFC 6962 §2.1.2)."""
    if not 0 < first <= second:
        raise Invalid("need 0 < first ≤ second", code="tree_size_invalid")
    ranges = merkle.consistency_ranges(first, second)
    if not ranges:  # equal sizes: the proof is empty, but the size must still exist
        await fetch_hashes(db, {(0, second - 1)}, second)
        return []
    return _range_hashes(ranges, await fetch_hashes(db, merkle.pieces_of(ranges), second))


async def root_at(db: AsyncSession, size: int) -> bytes:
    """MTH of the first `size` leaves, from the stored perfect subtrees."""
    wanted = merkle.pieces(0, size)
    stored = await fetch_hashes(db, set(wanted))
    return merkle.fold([stored[p] for p in wanted])


async def latest_tree_head(db: AsyncSession) -> TreeHead | None:
    return await db.scalar(select(TreeHead).order_by(TreeHead.tree_size.desc(), TreeHead.id.desc()).limit(1))


async def issue_tree_head(
    db: AsyncSession,
    signer: LogSigner,
    now: datetime,
    *,
    refresh: timedelta = HEAD_REFRESH,
    min_interval: timedelta = timedelta(0),
) -> tuple[TreeHead, bool]:
    """Sign the current log head unless the latest head already covers it and is fresher than
    `refresh`, or was signed less than `min_interval` ago (how the API keeps callers from making
    it sign at every request); returns (head, issued). The scheduler calls this periodically.

    Before signing, the stored subtrees must reproduce both the log head's root and the latest
    signed root, so the log never signs a tree that does not extend what it signed before.
    """
    head = (await db.execute(select(head_t.c.size, head_t.c.root_hash).where(head_t.c.id == HEAD_ID))).first()
    size, head_root = head if head else (0, merkle.EMPTY_ROOT)
    latest = await latest_tree_head(db)
    if latest is not None and now - latest.issued_at < (
        refresh if latest.tree_size == size else min_interval
    ):
        return latest, False
    root = await root_at(db, size)
    if root != head_root:
        raise AuditIntegrityError("the log head disagrees with the stored tree")
    if latest is not None and (
        latest.tree_size > size or await root_at(db, latest.tree_size) != latest.root_hash
    ):
        raise AuditIntegrityError(f"the log no longer extends signed tree head #{latest.id}")
    timestamp = int(now.timestamp() * 1000)
    signature = signer.sign(tree_head_payload(timestamp, size, root))
    sth = TreeHead(
        tree_size=size,
        timestamp_ms=timestamp,
        root_hash=root,
        key_id=signer.key_id,
        signature=signature,
        issued_at=now,
    )
    db.add(sth)
    await db.flush()
    return sth, True
