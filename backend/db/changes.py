"""The change log: every write to a syncable table appends here in the same transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, String, Uuid, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from backend.core.ids import uuid7
from backend.db.base import Base, IdMixin, Syncable, Timestamps


class ChangeLog(Base):
    """One row per version of a syncable entity; `seq` is the pull cursor (SYNC.md)."""

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column()
    scope_path: Mapped[str | None] = mapped_column(String(400), index=True)
    changed_at: Mapped[datetime] = mapped_column()


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
    for obj in list(session.new):
        if isinstance(obj, IdMixin) and obj.id is None:
            obj.id = uuid7()
        if isinstance(obj, Timestamps):
            obj.created_at = obj.created_at or now
            obj.updated_at = obj.updated_at or now
        if isinstance(obj, Syncable):
            obj.version = obj.version or 1
            session.info.setdefault("tezuo_changed", []).append(obj)
    for obj in list(session.dirty):
        if isinstance(obj, Syncable) and session.is_modified(obj, include_collections=False):
            obj.version = (obj.version or 0) + 1
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
            "changed_at": now,
        }
        for obj in changed
    ]
    session.execute(insert(ChangeLog), rows)


def install_change_log() -> None:
    """Register the flush hooks once per process (idempotent)."""
    if not event.contains(Session, "before_flush", _stamp):
        event.listen(Session, "before_flush", _stamp)
        event.listen(Session, "after_flush", _append_changes)
