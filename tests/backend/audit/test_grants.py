"""deploy/postgres/audit_grants.sql on the real PostgreSQL: the API's role appends, never rewrites."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from backend.audit import service
from backend.audit.keys import load_signer
from backend.db.engine import make_engine, make_sessionmaker, transaction

GRANTS = Path(__file__).resolve().parents[3] / "deploy" / "postgres" / "audit_grants.sql"
REFUSED = [
    "UPDATE audit_entries SET action = 'person.delete'",
    "DELETE FROM audit_entries",
    "TRUNCATE audit_entries",
    "UPDATE audit_nodes SET hash = '\\x00'",
    "DELETE FROM audit_nodes",
    "UPDATE audit_tree_heads SET tree_size = 0",
    "DELETE FROM audit_tree_heads",
    "DELETE FROM audit_log_head",
]


def _psql_script(role: str) -> str:
    """The file as psql would run it with -v app_role=ROLE (asyncpg has no psql meta-commands)."""
    lines = [ln for ln in GRANTS.read_text().splitlines() if not ln.startswith("\\")]
    return "\n".join(lines).replace(':"app_role"', f'"{role}"')


async def test_the_api_role_appends_but_cannot_rewrite(database_url, sessionmaker, settings, clock):
    if not database_url.startswith("postgresql"):
        pytest.skip("database roles are a PostgreSQL feature")
    url = make_url(database_url)
    owner_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    role = f"tezuo_app_{uuid.uuid4().hex[:8]}"
    owner = await asyncpg.connect(owner_dsn)
    try:
        await owner.execute(f'CREATE ROLE "{role}" LOGIN')
        # a careless deployment first hands the app role everything …
        await owner.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
        await owner.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        # … then applies the audit grants
        await owner.execute(_psql_script(role))

        app_url = url.set(username=role).render_as_string(hide_password=False)
        engine = make_engine(app_url)
        try:
            async with transaction(make_sessionmaker(engine)) as db:
                await service.record(db, clock(), action="permit.approve", entity="permit", entity_id="p-1")
                await service.record(db, clock(), action="permit.approve", entity="permit", entity_id="p-2")
            async with transaction(make_sessionmaker(engine)) as db:
                sth, issued = await service.issue_tree_head(db, load_signer(settings.keys_dir), clock())
            assert issued and sth.tree_size == 2
        finally:
            await engine.dispose()

        app = await asyncpg.connect(url.set(drivername="postgresql", username=role).render_as_string())
        try:
            for statement in REFUSED:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await app.execute(statement)
            assert await app.fetchval("SELECT count(*) FROM audit_entries") == 2
        finally:
            await app.close()
    finally:
        await owner.execute(f'DROP OWNED BY "{role}"')
        await owner.execute(f'DROP ROLE IF EXISTS "{role}"')
        await owner.close()
