"""Count the SQL statements an engine runs inside a block (at the driver: `before_cursor_execute`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    """The statements `engine` (an AsyncEngine) executes while the block runs, in order."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
