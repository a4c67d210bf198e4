"""Alembic migrations are the schema: models agree with them, and they go down and up again."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from backend.db import migrate
from tests.conftest import PG_DSN


async def test_models_match_migrations(database_url):
    await asyncio.to_thread(migrate.check, database_url)


async def test_upgrade_downgrade_upgrade(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'cycle.sqlite3'}"
        cleanup = None
    else:
        name = f"tezuo_cycle_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_DSN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = database_url.rsplit("/", 1)[0] + "/" + name
        cleanup = (admin, name)
    try:
        for step in (migrate.upgrade, migrate.downgrade, migrate.upgrade, migrate.check):
            await asyncio.to_thread(step, url)
    finally:
        if cleanup:
            await cleanup[0].execute(f'DROP DATABASE IF EXISTS "{cleanup[1]}" WITH (FORCE)')
            await cleanup[0].close()
