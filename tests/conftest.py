"""Shared fixtures: real SQLite and PostgreSQL databases migrated with Alembic, settings, clock, app."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.config import Settings
from backend.db import migrate
from backend.db.engine import make_engine, make_sessionmaker
from backend.db.models import Base

PG_DSN = os.environ.get("TEZUO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


class Clock:
    """A clock tests can move; services read time only through it."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 11, 28, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


async def _pg_available() -> bool:
    try:
        conn = await asyncpg.connect(PG_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh database per backend for the whole run, brought to `alembic upgrade head`."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
        return
    if not await _pg_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_DSN} (CI must start it)")
        pytest.skip("PostgreSQL not reachable (set CI=true to make this a failure)")
    name = f"tezuo_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on a clean database: every table is emptied after the test."""
    yield make_sessionmaker(engine)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                await conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=None,
        base_url="http://localhost:8000",
        secret_key=b"test-secret-key-not-for-production",
        pwa_dir=tmp_path / "no-pwa",
        max_body_bytes=64 * 1024,
    )


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment a `tezuo …` command run in-process (`backend.cli.main`) reads its settings from:
    this test's database, data dir and secret key."""
    monkeypatch.setenv("TEZUO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TEZUO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TEZUO_SECRET_KEY", settings.secret_key.decode())
    return settings


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
