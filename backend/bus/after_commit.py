"""Tell the bus about database writes once they are committed: live updates and stream wake-ups.

The bus travels with the session factory (`bind_bus`), so services need no bus argument and a
session without one (a test, a one-off CLI command) simply announces nothing: the database is
the record, and the workers' sweeps find what was not announced.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus.protocol import Bus, Fields, Message
from backend.db.after_commit import after_commit, session_value

log = logging.getLogger("tezuo.bus")
BUS_KEY = "tezuo.bus"


def bind_bus(sessionmaker: async_sessionmaker[AsyncSession], bus: Bus) -> None:
    """Sessions made from now on carry `bus` for the after-commit announcements below."""
    sessionmaker.configure(info={BUS_KEY: bus})


def bus_of(db: AsyncSession) -> Bus | None:
    bus: Any = session_value(db, BUS_KEY)
    return bus


def publish_after_commit(db: AsyncSession, topic: str, message: Message) -> None:
    """A live update (pub/sub: lost if nobody listens, never the record)."""
    bus = bus_of(db)
    if bus is not None:
        after_commit(db, lambda: bus.publish(topic, message), f"publish to {topic}")


def xadd_after_commit(db: AsyncSession, stream: str, fields: Fields, maxlen: int = 100_000) -> None:
    """Wake the stream's consumers about rows this transaction wrote."""
    bus = bus_of(db)
    if bus is not None:
        after_commit(db, lambda: bus.xadd(stream, fields, maxlen=maxlen), f"xadd to {stream}")
