"""The pull algorithm: compacted, scope-filtered pages of the change log with tombstones.

The reference server runs it over a list; the real server runs the same rules in SQL
(backend/sync/service.py). Rules:

* only the latest row of each entity after the cursor is sent (compaction);
* a row is sent if the viewer may see it: their own record, inside one of their scopes, or an
  org unit on the path to where they work (so the app can name their team and site);
* if the latest row is hidden but the viewer saw the entity before the cursor (it was deleted,
  or it moved out of their scope), a tombstone is sent; cursor 0 sends no tombstones;
* the cursor after the last page is the highest seq of the whole log, so a device whose own
  ops only touched entities it cannot see still catches up with their `server_seq`;
* if the viewer's scopes changed since their last pull, the answer starts again from 0 with
  `reset` set: the device replaces its copy (rights removed = data removed from the phone).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sync.messages import Change, Put, Tombstone

MAX_LIMIT = 2000


@dataclass(frozen=True)
class LogRow:
    seq: int
    entity: str
    entity_id: uuid.UUID
    version: int
    deleted: bool
    data: dict[str, Any]
    scope_path: str | None
    owner_id: uuid.UUID | None


@dataclass(frozen=True)
class Viewer:
    """What one person may pull: own records, records under `scopes`, units on `unit_paths`."""

    person_id: uuid.UUID
    scopes: tuple[str, ...]
    unit_paths: tuple[str, ...]

    def sees(self, row: LogRow, path_entities: frozenset[str]) -> bool:
        if row.deleted:
            return False
        if row.owner_id is not None and row.owner_id == self.person_id:
            return True
        if row.scope_path is None:
            return False
        if any(row.scope_path.startswith(scope) for scope in self.scopes):
            return True
        return row.entity in path_entities and row.scope_path in self.unit_paths

    def fingerprint(self) -> str:
        """Changes whenever what this viewer may see changes."""
        text = "|".join([str(self.person_id), *sorted(self.scopes), "#", *sorted(self.unit_paths)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def ancestors(paths: Iterable[str]) -> tuple[str, ...]:
    """Every unit path on the way to each path, the path itself included: /A/ /A/B/ …"""
    out: set[str] = set()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        for depth in range(1, len(parts) + 1):
            out.add("/" + "/".join(parts[:depth]) + "/")
    return tuple(sorted(out))


@dataclass(frozen=True)
class Page:
    changes: list[Change]
    cursor: int
    more: bool


def pull_page(
    log: Sequence[LogRow], viewer: Viewer, cursor: int, limit: int, path_entities: frozenset[str]
) -> Page:
    """One page of changes after `cursor` for `viewer` (the rules in the module docstring)."""
    history: dict[uuid.UUID, list[LogRow]] = {}
    for row in log:
        history.setdefault(row.entity_id, []).append(row)
    latest = sorted((rows[-1] for rows in history.values() if rows[-1].seq > cursor), key=lambda row: row.seq)
    changes: list[Change] = []
    for row in latest:
        change = _change_for(row, history[row.entity_id], viewer, cursor, path_entities)
        if change is None:
            continue
        if len(changes) == limit:
            return Page(changes, changes[-1].seq, True)
        changes.append(change)
    return Page(changes, log[-1].seq if log else cursor, False)


def _change_for(
    row: LogRow, rows: list[LogRow], viewer: Viewer, cursor: int, path_entities: frozenset[str]
) -> Change | None:
    if viewer.sees(row, path_entities):
        return Put(
            seq=row.seq, entity=row.entity, entity_id=row.entity_id, version=row.version, data=row.data
        )
    if cursor > 0 and any(r.seq <= cursor and viewer.sees(r, path_entities) for r in rows):
        return Tombstone(seq=row.seq, entity=row.entity, entity_id=row.entity_id, version=row.version)
    return None
