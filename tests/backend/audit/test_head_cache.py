"""Appending after the head this process last wrote: one guarded UPDATE, never a wrong edge."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from backend.audit import service
from backend.audit.keys import public_keys
from backend.audit.models import AuditLogHead
from backend.audit.verify import verify_log
from backend.db.engine import make_engine, make_sessionmaker, transaction
from tests.backend.audit.helpers import item
from tests.backend.statements import statements


async def _append(maker: Any, clock: Any, i: int) -> int:
    async with transaction(maker) as db:
        return (await service.record_many(db, clock(), [item(i)]))[0]


async def test_an_append_after_our_own_moves_the_head_in_one_statement(sessionmaker, engine, clock):
    await _append(sessionmaker, clock, 0)  # creates the head (reserving path)
    with statements(engine) as seen:
        index = await _append(sessionmaker, clock, 1)  # leaf 1 completes the subtree (1, 0)
    heads = [s for s in seen if "audit_log_head" in s]
    assert index == 1
    assert len(heads) == 1 and heads[0].lstrip().upper().startswith("UPDATE")
    assert len(seen) == 3  # head, entries, the completed node


async def test_another_writer_or_a_rollback_makes_the_guard_miss_and_the_log_stays_right(
    sessionmaker, database_url, settings, clock
):
    """A second engine stands for another process; a rolled-back append leaves our cached head
    ahead of the stored one. Every append still lands at the next index and the tree verifies."""
    other_engine = make_engine(database_url)
    other = make_sessionmaker(other_engine)
    try:
        assert [await _append(sessionmaker, clock, i) for i in range(3)] == [0, 1, 2]
        assert [await _append(other, clock, i) for i in range(3, 5)] == [3, 4]
        assert await _append(sessionmaker, clock, 5) == 5  # our cache said 3: reserving path
        with pytest.raises(RuntimeError):
            async with transaction(sessionmaker) as db:
                await service.record_many(db, clock(), [item(6), item(7)])
                raise RuntimeError("the change it records failed")
        assert await _append(sessionmaker, clock, 8) == 6  # our cache said 8: reserving path
        assert await _append(other, clock, 9) == 7
        assert await _append(sessionmaker, clock, 10) == 8
    finally:
        await other_engine.dispose()
    async with sessionmaker() as db:
        report = await verify_log(db, public_keys(settings.keys_dir))
    assert report.ok, report.ordered()


async def test_a_head_rewritten_behind_our_back_is_not_trusted(sessionmaker, settings, clock):
    """Someone rewrites the stored head's root (same size): the cache no longer matches it, so the
    appender reads the stored edge as it did before the cache existed, and verification says so."""
    for i in range(2):
        await _append(sessionmaker, clock, i)
    async with transaction(sessionmaker) as db:
        await db.execute(update(AuditLogHead).values(root_hash=b"\x00" * 32))
    assert await _append(sessionmaker, clock, 2) == 2
    async with sessionmaker() as db:
        stored = await db.get(AuditLogHead, service.HEAD_ID)
        assert stored is not None and stored.size == 3
        report = await verify_log(db, public_keys(settings.keys_dir))
    assert report.ok, report.ordered()  # the frontier was untouched: the new root is right again
