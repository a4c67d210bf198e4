"""The leased scheduler signs tree heads on its own: 10 minutes after it starts, then every 10."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.audit.models import TreeHead
from backend.audit.service import record
from backend.jobs.scheduler import Scheduler


async def test_scheduler_signs_the_log_periodically(sessionmaker, settings, clock):
    async with sessionmaker() as db, db.begin():
        await record(db, clock(), action="test.entry", entity="thing", entity_id="t-1")
    scheduler = Scheduler(sessionmaker, clock, owner="test", settings=settings)
    await scheduler.tick(60)
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(TreeHead)) == 0
    clock.advance(minutes=11)
    await scheduler.tick(60)
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(TreeHead)) == 1
    async with sessionmaker() as db, db.begin():
        await record(db, clock(), action="test.entry", entity="thing", entity_id="t-2")
    clock.advance(minutes=11)
    await scheduler.tick(60)
    async with sessionmaker() as db:
        sizes = (await db.scalars(select(TreeHead.tree_size).order_by(TreeHead.tree_size))).all()
    assert sizes == [1, 2]
    clock.advance(minutes=11)  # nothing new and the last head is fresh: no new signature
    await scheduler.tick(60)
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(TreeHead)) == 2
