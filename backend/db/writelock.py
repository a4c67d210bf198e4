"""SQLite: one writer at a time per process, queued in arrival order instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. Two requests that both write collide, and the loser
sleeps in SQLite's busy handler (steps of up to 100 ms) and polls again: under load the tail
latency is those sleeps. A request that is about to write takes this process's lock first and
holds it until its transaction ends; waiting writers queue on an asyncio lock (FIFO, no polling).
`BEGIN IMMEDIATE` then takes SQLite's write lock before the first read, so what the request reads
is what it writes against (writers of other processes still meet the busy handler, once).
PostgreSQL needs none of this: rows are locked with SELECT … FOR UPDATE.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

_LOCKS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()
_HELD = "tezuo_write_lock"


async def serialize_writes(db: AsyncSession) -> None:
    """On SQLite, hold the process's write lock until `db`'s transaction commits or rolls back.

    Call it before the first read of a request that will write; must be called before the session
    has begun writing (a no-op on PostgreSQL, and when already held).
    """
    engine = db.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite" or db.info.get(_HELD):
        return
    lock = _LOCKS.setdefault(engine, asyncio.Lock())
    await lock.acquire()
    db.info[_HELD] = True

    def release(*_: Any) -> None:
        if db.info.pop(_HELD, False):
            lock.release()

    def ended(_session: Any, transaction: Any) -> None:
        # A session closed with its transaction open (a cancelled request) fires neither commit nor
        # rollback events, only this; a savepoint's end must not let go of the lock.
        if transaction.parent is None:
            release()

    sync = db.sync_session
    for name in ("after_commit", "after_rollback", "after_soft_rollback"):
        event.listen(sync, name, release)
    event.listen(sync, "after_transaction_end", ended)
    try:
        raw: Any = (await (await db.connection()).get_raw_connection()).dbapi_connection
        # the driver opens its own (deferred) transaction at the first write: nothing to do then
        if not getattr(getattr(raw, "_connection", raw), "in_transaction", False):
            await db.execute(text("BEGIN IMMEDIATE"))
    except BaseException:
        release()
        raise
