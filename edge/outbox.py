"""Store-and-forward: a local SQLite queue of readings, band samples, alarms and clips, each once by id.

Everything the node produces goes here first; the uplink deletes a row only after the server has
it. Two lanes share the file: readings, band samples and alarms go in order; clips (megabytes) go
in a lane of their own, each after its alarm, so a slow clip never holds an alarm back. A row the
server refuses for good (4xx other than auth/rate/conflict-in-progress) moves to `dead`, so one
bad message cannot block the queue behind it; the operator can inspect it.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  body BLOB NOT NULL,
  created_at REAL NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE TABLE IF NOT EXISTS dead (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL, error TEXT NOT NULL, died_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


@dataclass(frozen=True)
class Item:
    seq: int
    id: str
    kind: str  # "reading" | "scada" | "band" | "alarm" (the ordered lane) | "clip" (its own lane)
    body: dict[str, Any]


class Outbox:
    """A durable FIFO. Writes are tiny and local; WAL + synchronous=NORMAL survives a power cut
    with at most the last transaction lost, never a corrupt file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def put(self, kind: str, item_id: str, body: dict[str, Any]) -> bool:
        """Queue a message; the same id twice is one message (False the second time)."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO outbox (id, kind, body, created_at) VALUES (?, ?, ?, ?)",
            (item_id, kind, msgspec.json.encode(body), time.time()),
        )
        return cur.rowcount == 1

    def head(self, limit: int) -> list[Item]:
        """The head of the ordered lane: readings, band samples and alarms (clips have their own)."""
        rows = self.db.execute(
            "SELECT seq, id, kind, body FROM outbox WHERE kind != 'clip' ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        return [Item(seq, i, k, msgspec.json.decode(b)) for seq, i, k, b in rows]

    def clip_head(self) -> Item | None:
        """The oldest clip whose alarm the server already has (its alarm row has left the queue):
        the clip lane never overtakes the alarm it belongs to, and nothing waits behind a clip."""
        row = self.db.execute(
            "SELECT seq, id, kind, body FROM outbox AS c WHERE kind = 'clip' AND NOT EXISTS"
            " (SELECT 1 FROM outbox AS a WHERE a.kind = 'alarm' AND a.id = substr(c.id, 6))"
            " ORDER BY seq LIMIT 1"
        ).fetchone()
        return None if row is None else Item(row[0], row[1], row[2], msgspec.json.decode(row[3]))

    def clips(self) -> list[Item]:
        """Every clip still queued, oldest first (health, tests)."""
        rows = self.db.execute("SELECT seq, id, kind, body FROM outbox WHERE kind = 'clip' ORDER BY seq")
        return [Item(seq, i, k, msgspec.json.decode(b)) for seq, i, k, b in rows.fetchall()]

    def done(self, items: list[Item]) -> None:
        self.db.executemany("DELETE FROM outbox WHERE seq = ?", [(i.seq,) for i in items])

    def failed(self, items: list[Item], error: str) -> None:
        self.db.executemany(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
            [(error[:500], i.seq) for i in items],
        )

    def replace(self, item: Item, body: dict[str, Any]) -> None:
        self.db.execute("UPDATE outbox SET body = ? WHERE seq = ?", (msgspec.json.encode(body), item.seq))

    def bury(self, item: Item, error: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT OR REPLACE INTO dead (id, kind, body, error, died_at) VALUES (?, ?, ?, ?, ?)",
                (item.id, item.kind, msgspec.json.encode(item.body), error[:500], time.time()),
            )
            self.db.execute("DELETE FROM outbox WHERE seq = ?", (item.seq,))

    def depth(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def dead(self) -> list[tuple[str, str, str]]:
        return list(self.db.execute("SELECT id, kind, error FROM dead ORDER BY died_at").fetchall())

    def remember(self, key: str, value: Any) -> None:
        """Small state that must survive a restart (the permit cache)."""
        self.db.execute(
            "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, msgspec.json.encode(value))
        )

    def recall(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else msgspec.json.decode(row[0])

    def close(self) -> None:
        self.db.close()
