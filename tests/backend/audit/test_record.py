"""Recording: in the caller's transaction, dense leaf indexes under concurrency, input rules."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from backend.audit import service
from backend.audit.keys import public_keys
from backend.audit.models import AuditEntry
from backend.audit.verify import verify_log
from backend.db.engine import transaction


async def _indexes(sessionmaker) -> list[int]:
    async with sessionmaker() as db:
        return list((await db.scalars(select(AuditEntry.leaf_index).order_by(AuditEntry.leaf_index))).all())


async def test_an_entry_rolls_back_with_the_change_it_records(sessionmaker, clock):
    async with transaction(sessionmaker) as db:
        await service.record(db, clock(), action="permit.approve", entity="permit", entity_id="p-1")
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as db:
            await service.record(db, clock(), action="permit.approve", entity="permit", entity_id="p-2")
            raise RuntimeError("the approval failed")
    async with transaction(sessionmaker) as db:
        index = await service.record(db, clock(), action="permit.approve", entity="permit", entity_id="p-3")
    assert index == 1 and await _indexes(sessionmaker) == [0, 1]


async def test_concurrent_appenders_get_dense_unique_indexes(sessionmaker, settings, clock):
    """Twenty transactions append at once, some holding the log while they work, some rolling
    back: the committed entries are numbered 0…n-1 with no gap and the tree verifies."""

    async def append(i: int) -> None:
        try:
            async with transaction(sessionmaker) as db:
                await service.record(db, clock(), action="test.append", entity="task", entity_id=str(i))
                await asyncio.sleep(0.01)
                if i % 5 == 0:
                    raise ValueError("changed my mind")
        except ValueError:
            pass

    await asyncio.gather(*(append(i) for i in range(20)))
    assert await _indexes(sessionmaker) == list(range(16))
    async with sessionmaker() as db:
        report = await verify_log(db, public_keys(settings.keys_dir))
    assert report.ok, report.ordered()


async def test_details_must_be_canonical_json(sessionmaker, clock):
    async with transaction(sessionmaker) as db:
        with pytest.raises(TypeError, match="floats"):
            await service.record(
                db, clock(), action="gas.read", entity="permit", entity_id="p", details={"lel": 1.5}
            )
        with pytest.raises(ValueError, match="details above"):
            await service.record(
                db, clock(), action="x", entity="permit", entity_id="p", details={"b": "x" * 5000}
            )
        with pytest.raises(ValueError, match="entity_id"):
            await service.record(db, clock(), action="x", entity="permit", entity_id="")
