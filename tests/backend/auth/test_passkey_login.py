"""Enrollment with a one-time code, passkey registration and login, with real WebAuthn checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.auth.service import issue_enrollment
from backend.db.engine import transaction
from tests.backend.auth.authenticator import SoftAuthenticator
from tests.factories import make_person


async def _enrollment_code(sessionmaker: Any, settings: Any, clock: Any, org: Any, roles: Any = None) -> str:
    async with transaction(sessionmaker) as db:
        person = await make_person(db, settings.secret_key, org.team_a, "李卫东", roles)
        code, _ = await issue_enrollment(db, person.id, clock(), timedelta(hours=1))
    return code


async def _enroll(client: Any, code: str, auth: SoftAuthenticator) -> Any:
    opts = (await client.post("/api/auth/enroll/options", json={"code": code})).json()
    return await client.post(
        "/api/auth/enroll/verify",
        json={"challenge_id": opts["challenge_id"], "code": code, "credential": auth.create(opts["options"])},
    )


async def _login(client: Any, auth: SoftAuthenticator, **kwargs: Any) -> Any:
    opts = (await client.post("/api/auth/login/options")).json()
    return await client.post(
        "/api/auth/login/verify",
        json={"challenge_id": opts["challenge_id"], "credential": auth.get(opts["options"], **kwargs)},
    )


async def test_enroll_then_sign_in_with_passkey(app_client, sessionmaker, settings, clock, org):
    code = await _enrollment_code(
        sessionmaker, settings, clock, org, [("worker", org.team_a), ("inspector", org.site_a)]
    )
    auth = SoftAuthenticator()
    res = await _enroll(app_client, code, auth)
    assert res.status_code == 200, res.text
    assert res.json()["home_tabs"] == ["worker", "inspector"]
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie

    me = await app_client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["name"] == "李卫东"
    assert me.json()["id_number_masked"].count("*") == 10

    await app_client.post("/api/auth/logout")
    assert (await app_client.get("/api/auth/me")).status_code == 401

    res = await _login(app_client, auth)
    assert res.status_code == 200, res.text
    assert (await app_client.get("/api/auth/me")).json()["roles"] == ["inspector", "worker"]


async def test_enrollment_code_is_single_use(app_client, sessionmaker, settings, clock, org):
    code = await _enrollment_code(sessionmaker, settings, clock, org)
    assert (await _enroll(app_client, code, SoftAuthenticator())).status_code == 200
    again = await app_client.post("/api/auth/enroll/options", json={"code": code})
    assert again.status_code == 422 and again.json()["code"] == "enrollment_used"


async def test_expired_and_unknown_codes_are_refused(app_client, sessionmaker, settings, clock, org):
    code = await _enrollment_code(sessionmaker, settings, clock, org)
    clock.advance(hours=2)
    res = await app_client.post("/api/auth/enroll/options", json={"code": code})
    assert res.json()["code"] == "enrollment_expired"
    res = await app_client.post("/api/auth/enroll/options", json={"code": "no-such-code"})
    assert res.status_code == 404 and res.headers["content-type"].startswith("application/problem+json")


async def test_wrong_origin_is_refused_and_nothing_is_stored(app_client, sessionmaker, settings, clock, org):
    code = await _enrollment_code(sessionmaker, settings, clock, org)
    auth = SoftAuthenticator()
    opts = (await app_client.post("/api/auth/enroll/options", json={"code": code})).json()
    phished = auth.create(opts["options"], origin="http://evil.example")
    body = {"challenge_id": opts["challenge_id"], "code": code, "credential": phished}
    res = await app_client.post("/api/auth/enroll/verify", json=body)
    assert res.status_code == 422 and res.json()["code"] == "passkey_invalid"
    # the failed step left nothing behind: the code still works and no passkey was stored
    assert (await _enroll(app_client, code, auth)).status_code == 200
    assert (await app_client.get("/api/auth/me")).status_code == 200


async def test_a_used_login_challenge_cannot_be_replayed(app_client, sessionmaker, settings, clock, org):
    code = await _enrollment_code(sessionmaker, settings, clock, org)
    auth = SoftAuthenticator()
    await _enroll(app_client, code, auth)
    opts = (await app_client.post("/api/auth/login/options")).json()
    body = {"challenge_id": opts["challenge_id"], "credential": auth.get(opts["options"])}
    assert (await app_client.post("/api/auth/login/verify", json=body)).status_code == 200
    replay = await app_client.post("/api/auth/login/verify", json=body)
    assert replay.status_code == 401 and replay.json()["code"] == "challenge_invalid"


async def test_cloned_authenticator_is_refused(app_client, sessionmaker, settings, clock, org):
    code = await _enrollment_code(sessionmaker, settings, clock, org)
    auth = SoftAuthenticator()
    await _enroll(app_client, code, auth)
    assert (await _login(app_client, auth, count=5)).status_code == 200
    res = await _login(app_client, auth, count=3)  # counter went backwards: a cloned key
    assert res.status_code == 401 and res.json()["code"] == "passkey_invalid"


async def test_unknown_passkey_and_expired_session(app_client, sessionmaker, settings, clock, org):
    code = await _enrollment_code(sessionmaker, settings, clock, org)
    auth = SoftAuthenticator()
    await _enroll(app_client, code, auth)
    stranger = SoftAuthenticator()
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "AAAA"}, "challenge": "x"})
    res = await _login(app_client, stranger)
    assert res.status_code == 401 and res.json()["code"] == "passkey_unknown"
    clock.advance(hours=settings.session_hours + 1)
    assert (await app_client.get("/api/auth/me")).status_code == 401
