"""Insert many syncable rows at once with their change-log rows, in the caller's transaction.

The ORM's flush hooks (db/changes.py) write one change-log row per entity; for an import of
hundreds of thousands of rows this does the same with two executemany statements per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, inspect, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.ids import uuid7
from backend.db.base import Syncable
from backend.db.changes import CHANGE_LOG_LOCK, ChangeLog, _plain

_PLAIN_AS_IS = (str, int, float, bool, type(None))

BATCH = 2000


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def scalar_defaults(model: type[Syncable]) -> dict[str, Any]:
    """The model's constant Python-side column defaults (callable ones must be given by the caller)."""
    return {
        col.key: col.default.arg
        for col in inspect(model).columns
        if col.default is not None and getattr(col.default, "is_scalar", False)
    }


async def insert_syncable(
    db: AsyncSession, model: type[Syncable], rows: Sequence[dict[str, Any]], now: datetime, scope_key: str
) -> int:
    """Insert `rows` (column → value; `id` optional) of a syncable model plus their change log.

    `scope_key` names the column the phones' partial replication scopes by (unit_path,
    scope_path). Returns the number of rows written.
    """
    keys = [c.key for c in inspect(model).column_attrs]
    defaults = scalar_defaults(model)
    logged = [k for k in keys if k not in model.__sync_exclude__]
    owner = model.__sync_owner__
    if db.get_bind().dialect.name == "postgresql":
        # The lock every change-log appender takes (db/changes.py): rows become visible in seq order.
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
    for start in range(0, len(rows), BATCH):
        full = [
            {
                **defaults,
                "id": uuid7(),
                **row,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
            }
            for row in rows[start : start + BATCH]
        ]
        # Core, not ORM, bulk insert: the ORM splits a batch wherever rows differ in which
        # columns are None, which turns one executemany into hundreds.
        await db.execute(insert(_table(model)), full)
        log_rows = [
            {
                "entity": model.__sync_entity__,
                "entity_id": v["id"],
                "version": 1,
                "deleted": False,
                "data": {k: x if isinstance(x := v.get(k), _PLAIN_AS_IS) else _plain(x) for k in logged},
                "scope_path": v.get(scope_key),
                "owner_id": v.get(owner) if owner else None,
                "changed_at": now,
            }
            for v in full
        ]
        await db.execute(insert(_table(ChangeLog)), log_rows)
    return len(rows)
