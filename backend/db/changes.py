"""The change log: every write to a syncable table appends here in the same transaction.

Two properties the sync pull (docs/sync.md) relies on:
* a row's `version` rises once per transaction that changes it, however often that
  transaction flushes (a sync push of 100 ops on one person is one new version);
* on PostgreSQL, rows become visible in `seq` order: appenders take one transaction-scoped
  advisory lock, so a reader that has seen seq N never later finds a committed row below N.
  (SQLite has a single writer, so there it holds by construction.)
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Table, Uuid, event, insert, inspect, text
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from backend.core.ids import uuid7
from backend.db.base import Base, IdMixin, Syncable, Timestamps


class ChangeLog(Base):
    """One row per version of a syncable entity; `seq` is the pull cursor (SYNC.md)."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity_id_seq", "entity_id", "seq"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column()
    scope_path: Mapped[str | None] = mapped_column(String(400), index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, default=None)  # whose record
    changed_at: Mapped[datetime] = mapped_column()


CHANGE_LOG_LOCK = 0x7E2_0C4A  # pg_advisory_xact_lock key: serialises change-log appenders


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def snapshot(obj: Syncable) -> dict[str, Any]:
    """The entity's columns as JSON-ready values, minus those the class keeps off the wire."""
    mapper = inspect(obj).mapper
    return {
        col.key: _plain(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in obj.__sync_exclude__
    }


def _stamp(session: Session, flush_context: object, instances: object) -> None:
    """Give new rows ids and timestamps, bump versions, and queue change-log rows."""
    now = datetime.now(UTC)
    # version each row had when this transaction first changed it (0 = created here)
    base: dict[tuple[type, uuid.UUID], int] = session.info.setdefault("tezuo_tx_versions", {})
    for obj in list(session.new):
        if isinstance(obj, IdMixin) and obj.id is None:
            obj.id = uuid7()
        if isinstance(obj, Timestamps):
            obj.created_at = obj.created_at or now
            obj.updated_at = obj.updated_at or now
        if isinstance(obj, Syncable):
            obj.version = obj.version or 1
            base[(type(obj), obj.id)] = obj.version - 1
            session.info.setdefault("tezuo_changed", []).append(obj)
    for obj in list(session.dirty):
        if isinstance(obj, Syncable) and session.is_modified(obj, include_collections=False):
            key = (type(obj), obj.id)
            if key not in base:
                base[key] = obj.version or 0
            obj.version = base[key] + 1
            obj.updated_at = now
            session.info.setdefault("tezuo_changed", []).append(obj)
    for obj in list(session.deleted):
        if isinstance(obj, Syncable):
            raise RuntimeError(f"{obj.__sync_entity__} rows are soft-deleted: set deleted_at instead")


def _append_changes(session: Session, flush_context: object) -> None:
    changed: list[Syncable] = session.info.pop("tezuo_changed", [])
    if not changed:
        return
    now = datetime.now(UTC)
    rows = [
        {
            "entity": obj.__sync_entity__,
            "entity_id": obj.id,
            "version": obj.version,
            "deleted": obj.deleted_at is not None,
            "data": snapshot(obj),
            "scope_path": obj.sync_scope_path() if hasattr(obj, "sync_scope_path") else None,
            "owner_id": getattr(obj, obj.__sync_owner__) if obj.__sync_owner__ else None,
            "changed_at": now,
        }
        for obj in changed
    ]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
    table = cast(Table, ChangeLog.__table__)  # Core insert: no per-row ORM bookkeeping needed
    seqs = session.execute(insert(table).returning(table.c.seq), rows).scalars().all()
    session.info["tezuo_last_seq"] = max(seqs, default=0)


def version_at_start(session: Session, obj: Syncable) -> int:
    """The version `obj` had when the current transaction first changed it (its version if not)."""
    base: dict[tuple[type, uuid.UUID], int] = session.info.get("tezuo_tx_versions", {})
    return base.get((type(obj), obj.id), obj.version)


def last_seq(session: Session) -> int | None:
    """The highest seq this transaction appended (None if it appended nothing)."""
    seq: int | None = session.info.get("tezuo_last_seq")
    return seq


def _transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop("tezuo_tx_versions", None)
        session.info.pop("tezuo_last_seq", None)


def install_change_log() -> None:
    """Register the flush hooks once per process (idempotent)."""
    if not event.contains(Session, "before_flush", _stamp):
        event.listen(Session, "before_flush", _stamp)
        event.listen(Session, "after_flush", _append_changes)
        event.listen(Session, "after_transaction_end", _transaction_end)
