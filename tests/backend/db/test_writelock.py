"""SQLite's per-process write queue: writers take turns, and every way a transaction ends lets go."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from backend.db.writelock import serialize_writes


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the write queue is for SQLite; PostgreSQL locks rows")


async def _second_writer_gets_in(sessionmaker, within_s: float = 5) -> bool:
    async def take() -> None:
        async with sessionmaker() as db:
            await serialize_writes(db)
            await db.rollback()

    try:
        await asyncio.wait_for(take(), timeout=within_s)
    except TimeoutError:
        return False
    return True


@pytest.mark.usefixtures("sqlite_only")
async def test_a_writer_waits_for_the_one_before_it(sessionmaker):
    first = sessionmaker()
    await serialize_writes(first)
    waiting = asyncio.create_task(_second_writer_gets_in(sessionmaker))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # queued behind the first writer, not failing on "database is locked"
    await first.execute(text("SELECT 1"))
    await first.commit()
    assert await waiting
    await first.close()


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
async def test_every_end_of_a_transaction_releases_the_lock(sessionmaker, end):
    """`close` is a request cancelled mid-way: no commit or rollback event, the lock must still go."""
    db = sessionmaker()
    await serialize_writes(db)
    async with db.begin_nested():  # a savepoint ending does not release it
        await db.execute(text("SELECT 1"))
    assert not await _second_writer_gets_in(sessionmaker, within_s=0.3)
    await getattr(db, end)()
    assert await _second_writer_gets_in(sessionmaker)
    await db.close()
