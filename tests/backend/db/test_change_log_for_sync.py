"""What the sync pull needs from the change log: one version per transaction, owners, commit order."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from sqlalchemy import select, text

from backend.db import migrate
from backend.db.changes import ChangeLog
from backend.db.engine import transaction
from backend.people.models import Person, RoleAssignment
from tests.conftest import PG_DSN
from tests.factories import make_org, make_person


async def _changes(sessionmaker, entity_id):
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(ChangeLog).where(ChangeLog.entity_id == entity_id).order_by(ChangeLog.seq)
        )
        return rows.all()


async def test_a_version_per_transaction_however_often_it_flushes(sessionmaker, settings):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        person = await make_person(db, settings.secret_key, org.team_a, "多次刷新")
        person.phone = "13900000000"
        await db.flush()
    async with transaction(sessionmaker) as db:
        row = await db.get(Person, person.id)
        for n in range(3):
            row.phone = f"1390000000{n}"
            await db.flush()
        async with db.begin_nested() as savepoint:  # a rolled-back savepoint leaves the count right
            row.locale = "en"
            await db.flush()
            await savepoint.rollback()
        row.name = "改名"
    assert {c.version for c in await _changes(sessionmaker, person.id)} == {1, 2}
    async with sessionmaker() as db:
        assert (await db.get(Person, person.id)).version == 2


async def test_rows_name_their_owner(sessionmaker, settings):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        person = await make_person(db, settings.secret_key, org.team_a, "本人", [("inspector", org.site_a)])
    async with sessionmaker() as db:
        grant = await db.scalar(select(RoleAssignment).where(RoleAssignment.person_id == person.id))
    assert {c.owner_id for c in await _changes(sessionmaker, person.id)} == {person.id}
    assert {c.owner_id for c in await _changes(sessionmaker, grant.id)} == {person.id}


async def test_postgres_rows_become_visible_in_seq_order(sessionmaker, settings, database_url):
    """A later appender waits for an earlier one to commit, so a reader never skips a seq."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time by construction")
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        a = await make_person(db, settings.secret_key, org.team_a, "甲")
        b = await make_person(db, settings.secret_key, org.team_a, "乙")
    first = sessionmaker()
    await first.begin()
    (await first.get(Person, a.id)).phone = "13900000001"
    await first.flush()  # holds the change-log lock until it commits

    async def second() -> None:
        async with transaction(sessionmaker) as db:
            (await db.get(Person, b.id)).phone = "13900000002"

    waiting = asyncio.create_task(second())
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await first.commit()
    await first.close()
    await waiting
    [a_row] = [c for c in await _changes(sessionmaker, a.id) if c.version == 2]
    [b_row] = [c for c in await _changes(sessionmaker, b.id) if c.version == 2]
    assert a_row.seq < b_row.seq


async def test_the_migration_fills_in_owners_of_earlier_rows(database_url, tmp_path):
    """Rows logged before 0004 get their owner, so workers still pull their own record."""
    pid, grant_id = uuid.uuid4(), uuid.uuid4()
    if database_url.startswith("sqlite"):
        url, cleanup = f"sqlite+aiosqlite:///{tmp_path / 'backfill.sqlite3'}", None
    else:
        name = f"tezuo_backfill_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_DSN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        url, cleanup = database_url.rsplit("/", 1)[0] + "/" + name, (admin, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url, "0002")
        from backend.db.engine import make_engine

        engine = make_engine(url)
        hex_or_uuid = (lambda u: u.hex) if url.startswith("sqlite") else str
        insert = text(
            "INSERT INTO change_log (entity, entity_id, version, deleted, data, scope_path, changed_at) "
            "VALUES (:entity, :id, 1, false, :data, '/E/', '2026-11-28 08:00:00+00:00')"
        )
        async with engine.begin() as conn:
            await conn.execute(insert, {"entity": "person", "id": hex_or_uuid(pid), "data": "{}"})
            data = f'{{"person_id": "{pid}"}}'
            await conn.execute(
                insert, {"entity": "role_assignment", "id": hex_or_uuid(grant_id), "data": data}
            )
        await engine.dispose()
        await asyncio.to_thread(migrate.upgrade, url)
        engine = make_engine(url)
        async with engine.connect() as conn:
            owners = (await conn.execute(select(ChangeLog.entity, ChangeLog.owner_id))).all()
        await engine.dispose()
        assert sorted(owners) == [("person", pid), ("role_assignment", pid)]
    finally:
        if cleanup:
            await cleanup[0].execute(f'DROP DATABASE IF EXISTS "{cleanup[1]}" WITH (FORCE)')
            await cleanup[0].close()
