"""Every write to a syncable table appends a change-log row in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.db.changes import ChangeLog
from backend.db.engine import transaction
from backend.people.models import Person
from tests.factories import make_org, make_person


async def test_inserts_and_updates_are_logged_with_versions(sessionmaker, settings):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        person = await make_person(db, settings.secret_key, org.team_a, "郑焊工")
    async with transaction(sessionmaker) as db:
        row = await db.get(Person, person.id)
        row.phone = "13800000000"
    async with sessionmaker() as db:
        changes = (
            await db.scalars(
                select(ChangeLog).where(ChangeLog.entity_id == person.id).order_by(ChangeLog.seq)
            )
        ).all()
    assert [c.version for c in changes] == [1, 2]
    assert changes[1].data["phone"] == "13800000000"
    assert changes[0].scope_path == org.team_a.path
    assert "id_number_enc" not in changes[0].data and "id_number_index" not in changes[0].data
    assert changes[0].data["id_number_masked"].count("*") == 10


async def test_a_rolled_back_write_leaves_no_change(sessionmaker, settings):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as db:
            await make_person(db, settings.secret_key, org.team_a, "回滚者")
            raise RuntimeError("boom")
    async with sessionmaker() as db:
        assert (await db.scalars(select(ChangeLog).where(ChangeLog.entity == "person"))).all() == []


async def test_hard_deletes_of_syncable_rows_are_refused(sessionmaker, settings):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        person = await make_person(db, settings.secret_key, org.team_a, "删不掉")
    with pytest.raises(RuntimeError, match="soft-deleted"):
        async with transaction(sessionmaker) as db:
            await db.delete(await db.get(Person, person.id))
            await db.flush()
