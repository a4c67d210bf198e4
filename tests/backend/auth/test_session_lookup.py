"""The principal behind a session comes from one statement and is never cached: a revoked session,
a withdrawn role or a suspended person counts from the very next request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from backend.auth.models import WebSession
from backend.auth.service import principal_for
from backend.db.engine import transaction
from backend.http.deps import SESSION_COOKIE
from backend.people.models import Person, RoleAssignment
from tests.backend.auth.authenticator import SoftAuthenticator
from tests.backend.auth.test_passkey_login import _enroll, _enrollment_code
from tests.backend.statements import statements


async def _signed_in(app_client: Any, sessionmaker: Any, settings: Any, clock: Any, org: Any) -> str:
    roles = [("worker", org.team_a), ("inspector", org.site_a)]
    code = await _enrollment_code(sessionmaker, settings, clock, org, roles)
    res = await _enroll(app_client, code, SoftAuthenticator())
    assert res.status_code == 200, res.text
    token = app_client.cookies.get(SESSION_COOKIE)
    assert token
    return str(token)


async def test_one_statement_finds_session_person_and_grants(
    app_client, sessionmaker, engine, settings, clock, org
):
    token = await _signed_in(app_client, sessionmaker, settings, clock, org)
    with statements(engine) as seen:
        async with sessionmaker() as db:
            who = await principal_for(db, token, clock())
    assert len(seen) == 1
    assert who.name == "李卫东" and who.roles == {"worker", "inspector"}
    assert who.credential_id is not None and who.session_id is not None


async def test_revocation_and_changes_count_from_the_next_request(
    app_client, sessionmaker, settings, clock, org
):
    await _signed_in(app_client, sessionmaker, settings, clock, org)
    me = await app_client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["roles"] == ["inspector", "worker"]

    async with transaction(sessionmaker) as db:  # the inspector role is withdrawn
        await db.execute(
            update(RoleAssignment).where(RoleAssignment.role == "inspector").values(deleted_at=clock())
        )
    assert (await app_client.get("/api/auth/me")).json()["roles"] == ["worker"]

    async with transaction(sessionmaker) as db:  # suspended: signed in, but no longer let in
        await db.execute(update(Person).where(Person.name == "李卫东").values(employment="suspended"))
    res = await app_client.get("/api/auth/me")
    assert res.status_code == 401 and res.json()["code"] == "person_inactive"

    async with transaction(sessionmaker) as db:
        await db.execute(update(Person).where(Person.name == "李卫东").values(employment="active"))
        assert (await db.scalar(select(WebSession.revoked_at))) is None
    assert (await app_client.get("/api/auth/me")).status_code == 200
    async with transaction(sessionmaker) as db:  # revoked elsewhere (an administrator, another tab)
        await db.execute(update(WebSession).values(revoked_at=clock()))
    res = await app_client.get("/api/auth/me")
    assert res.status_code == 401 and res.json()["code"] == "not_signed_in"
