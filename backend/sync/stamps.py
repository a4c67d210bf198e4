"""Last-writer-wins stamps per field: loaded for a whole batch at once, written in one statement."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.sync.models import FieldStamp
from sync.rules import Stamp

Key = tuple[str, uuid.UUID]


class FieldStamps:
    """The stamps one transaction reads and writes; `flush` upserts the changed ones."""

    def __init__(self, db: AsyncSession):
        self.db = db
        self._loaded: dict[Key, dict[str, Stamp]] = {}
        self._changed: dict[Key, dict[str, Stamp]] = {}
        self.writes = 0  # counts `set` calls, so a caller can tell whether anything was set

    async def load(self, entity: str, ids: Iterable[uuid.UUID]) -> None:
        wanted = [i for i in set(ids) if (entity, i) not in self._loaded]
        if not wanted:
            return
        for entity_id in wanted:
            self._loaded[(entity, entity_id)] = {}
        rows = await self.db.scalars(
            select(FieldStamp).where(FieldStamp.entity == entity, FieldStamp.entity_id.in_(wanted))
        )
        for row in rows:
            self._loaded[(entity, row.entity_id)][row.field] = Stamp(row.at_ms, row.hlc, row.device)

    def get(self, entity: str, entity_id: uuid.UUID) -> dict[str, Stamp]:
        key = (entity, entity_id)
        if key not in self._loaded:
            raise KeyError(f"stamps of {entity} {entity_id} were not loaded")
        return {**self._loaded[key], **self._changed.get(key, {})}

    def set(self, entity: str, entity_id: uuid.UUID, names: Iterable[str], stamp: Stamp) -> None:
        self.writes += 1
        changed = self._changed.setdefault((entity, entity_id), {})
        for name in names:
            changed[name] = stamp

    def mark(self) -> dict[Key, dict[str, Stamp]]:
        return {key: dict(fields) for key, fields in self._changed.items()}

    def rollback(self, mark: dict[Key, dict[str, Stamp]]) -> None:
        self._changed = mark
        self.writes += 1

    async def flush(self) -> None:
        rows = [
            {
                "entity": entity,
                "entity_id": entity_id,
                "field": name,
                "at_ms": s.at,
                "hlc": s.hlc,
                "device": s.device,
            }
            for (entity, entity_id), fields in self._changed.items()
            for name, s in fields.items()
        ]
        if not rows:
            return
        dialect = self.db.get_bind().dialect.name
        stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(cast(Table, FieldStamp.__table__))
        stmt = stmt.on_conflict_do_update(
            index_elements=["entity", "entity_id", "field"],
            set_={"at_ms": stmt.excluded.at_ms, "hlc": stmt.excluded.hlc, "device": stmt.excluded.device},
        )
        await self.db.execute(stmt, rows)
        for key, fields in self._changed.items():
            self._loaded.setdefault(key, {}).update(fields)
        self._changed = {}
