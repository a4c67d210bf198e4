"""Freezes and unfreezes are entries of the tamper-evident audit log (issue 4: every freeze)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.db.engine import transaction
from backend.people.models import Person
from backend.workers.freeze_part import freeze, lift, open_freezes
from tests.factories import make_org, make_person


async def test_freeze_and_lift_are_audited(sessionmaker, settings):
    now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        person = await make_person(db, settings.secret_key, org.team_a, "冻结者")
    async with transaction(sessionmaker) as db:
        row = await db.get(Person, person.id)
        await freeze(db, row, "manual", now)
    async with transaction(sessionmaker) as db:
        row = await db.get(Person, person.id)
        assert await lift(db, row, await open_freezes(db, person.id), "复核通过", now) == 1
    async with sessionmaker() as db:
        actions = (
            await db.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity_id == str(person.id))
                .order_by(AuditEntry.leaf_index)
            )
        ).all()
    assert [a for a in actions if a.startswith("qualification.")] == [
        "qualification.freeze",
        "qualification.unfreeze",
    ]
