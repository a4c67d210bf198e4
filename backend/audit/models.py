"""The audit log's tables: entries (leaves), perfect-subtree hashes, the log head, tree heads.

Only `backend.audit.service` writes them. Under PostgreSQL the API's role may INSERT and SELECT
but never UPDATE, DELETE or TRUNCATE entries, nodes or tree heads (deploy/postgres/audit_grants.sql);
the head row is a cache that `tezuo audit verify` recomputes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base

# On SQLite an INTEGER PRIMARY KEY is the rowid itself: no second index, fastest look-ups.
RowKey = BigInteger().with_variant(Integer, "sqlite")


class AuditEntry(Base):
    """One leaf: who did what to which version of what, when, from where."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "entity", "entity_id", "leaf_index"),)

    leaf_index: Mapped[int] = mapped_column(RowKey, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column()  # server time; the only time the log orders by
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    entity_version: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column()
    details_digest: Mapped[str] = mapped_column(String(64))
    # client evidence, hashed into `evidence_digest`
    channel: Mapped[str] = mapped_column(String(16))  # api | cli | sync | system
    ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(300))
    credential_id: Mapped[str | None] = mapped_column(String(1400))  # WebAuthn credential, base64url
    device_id: Mapped[str | None] = mapped_column(String(128))  # the PWA install's fingerprint
    device_time: Mapped[str | None] = mapped_column(String(64))  # the device's HLC, beside server time
    evidence_digest: Mapped[str] = mapped_column(String(64))
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditNode(Base):
    """The hash of one perfect subtree of level ≥ 1, written once when its last leaf arrives.

    `node_key` = level·2^48 + index, so one integer key (the rowid on SQLite) finds any node.
    """

    __tablename__ = "audit_nodes"

    node_key: Mapped[int] = mapped_column(RowKey, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditLogHead(Base):
    """The single row appenders lock: next leaf index and the tree's right edge (compact range)."""

    __tablename__ = "audit_log_head"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[datetime] = mapped_column()


class TreeHead(Base):
    """A signed tree head (RFC 6962 §3.5): the log's size and root, signed by the log key."""

    __tablename__ = "audit_tree_heads"

    id: Mapped[int] = mapped_column(RowKey, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(132))
    issued_at: Mapped[datetime] = mapped_column()


NODE_LEVEL_SHIFT = 48


def node_key(level: int, index: int) -> int:
    return (level << NODE_LEVEL_SHIFT) | index
