"""Run a coroutine once the current transaction has committed (and never if it rolls back).

Writes to the outbox happen in the caller's transaction; telling the bus about them must wait
for the commit, or a worker could look for a row that is not visible yet. The hooks run as
tasks on the running loop; a hook that fails is logged and forgotten: whatever it announced is
in the database, and the sweeps find it there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger("tezuo.db")

Hook = Callable[[], Awaitable[Any]]
_KEY = "tezuo.after_commit"
_OUTCOME_KEY = "tezuo.outcome"
_running: set[asyncio.Task[Any]] = set()  # strong references until each hook finishes
QUIET_SECONDS = 60.0  # after a failure is logged, the same failure stays quiet this long
_failures = {"last_logged": 0.0, "since": 0}


def after_commit(db: AsyncSession, hook: Hook, label: str = "hook") -> None:
    """Call `hook()` after the outermost transaction of `db` commits."""
    _install()
    db.sync_session.info.setdefault(_KEY, []).append((label, hook))


def on_outcome(db: AsyncSession, committed: Callable[[], None], rolled_back: Callable[[], None]) -> None:
    """Finish a file-system change with the outermost transaction of `db`: `committed()` runs inside
    the commit, before it returns (so a client told "stored" finds the file); `rolled_back()` if it
    rolls back instead — a COMMIT the database refuses included. Both must be quick and local."""
    _install()
    db.sync_session.info.setdefault(_OUTCOME_KEY, []).append((committed, rolled_back))


def _finish(session: Session, committed: bool) -> None:
    for on_commit, on_rollback in session.info.pop(_OUTCOME_KEY, []):
        try:
            (on_commit if committed else on_rollback)()
        except Exception:
            log.exception("finishing a file change after %s failed", "commit" if committed else "rollback")


def session_value(db: AsyncSession, key: str) -> Any:
    """A value the session factory was configured with (`sessionmaker.configure(info=…)`)."""
    return db.sync_session.info.get(key)


async def _guarded(label: str, hook: Hook) -> None:
    try:
        await hook()
    except Exception as exc:
        # Logged once a minute while it lasts (a Redis outage fails every hook).
        _failures["since"] += 1
        now = time.monotonic()
        if now - _failures["last_logged"] >= QUIET_SECONDS:
            log.warning(
                "after-commit %s failed (%s: %s), %d failure(s) since the last report; "
                "what it announced is in the database and will be picked up by the sweeps",
                label,
                type(exc).__name__,
                exc,
                _failures["since"],
            )
            _failures["last_logged"], _failures["since"] = now, 0


def _committed(session: Session) -> None:
    _finish(session, committed=True)
    hooks: list[tuple[str, Hook]] = session.info.pop(_KEY, [])
    if not hooks:
        return
    loop = asyncio.get_running_loop()  # the greenlet runs on the event loop's thread
    for label, hook in hooks:
        task = loop.create_task(_guarded(label, hook))
        _running.add(task)
        task.add_done_callback(_running.discard)


def _rolled_back(session: Session, *args: object) -> None:
    session.info.pop(_KEY, None)
    _finish(session, committed=False)


def _install() -> None:
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_rollback", _rolled_back)


async def drain() -> None:
    """Wait for hooks already started (tests and shutdown)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
