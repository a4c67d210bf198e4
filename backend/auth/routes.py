"""Sign-in endpoints: enrollment with a one-time code, passkey login, logout, who am I."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth import passkeys, service
from backend.auth.principal import Principal
from backend.auth.schemas import CeremonyOut, EnrollOptionsIn, EnrollVerifyIn, GrantOut, LoginVerifyIn, MeOut
from backend.config import Settings
from backend.http.deps import SESSION_COOKIE, Caller, ClientEvidence, Conf, Db, Now
from backend.org.models import OrgUnit
from backend.people.models import Person


def _session_cookie(settings: Settings, token: str | None) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token or "",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
        max_age=settings.session_hours * 3600 if token else 0,
    )


async def _signed_in(
    request: Request[Any, Any, Any],
    db: Db,
    settings: Conf,
    person_id: Any,
    passkey_id: Any,
    now: Now,
) -> Response[MeOut]:
    token = await service.open_session(
        db,
        person_id,
        passkey_id,
        now,
        settings.session_hours,
        user_agent=request.headers.get("user-agent", ""),
        ip=request.client.host if request.client else "",
    )
    person = await db.get(Person, person_id)
    assert person is not None
    me = await _me(db, await service.principal_of(db, person))
    return Response(me, cookies=[_session_cookie(settings, token)])


async def _me(db: AsyncSession, who: Principal) -> MeOut:
    person = await db.get(Person, who.person_id)
    assert person is not None
    paths = {g.scope_path for g in who.grants} | {person.unit_path}
    rows = await db.execute(select(OrgUnit.path, OrgUnit.name).where(OrgUnit.path.in_(paths)))
    names: dict[str, str] = {path: name for path, name in rows}
    return MeOut(
        person_id=person.id,
        name=person.name,
        id_number_masked=person.id_number_masked,
        unit_path=person.unit_path,
        unit_name=names.get(person.unit_path, ""),
        roles=sorted(who.roles),
        grants=[GrantOut(g.role, g.scope_path, names.get(g.scope_path, "")) for g in who.grants],
        home_tabs=service.home_tabs(who.roles),
        locale=person.locale,
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/enroll/options", operation_id="enrollOptions", status_code=200)
    async def enroll_options(
        self, data: JSONBody[EnrollOptionsIn], db: Db, settings: Conf, now: Now
    ) -> CeremonyOut:
        challenge, options, person = await passkeys.registration_options(db, settings, data.code, now)
        return CeremonyOut(challenge_id=challenge.id, options=options, person_name=person.name)

    @post("/enroll/verify", operation_id="enrollVerify", status_code=200)
    async def enroll_verify(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[EnrollVerifyIn],
        db: Db,
        settings: Conf,
        now: Now,
        evidence: ClientEvidence,
    ) -> Response[MeOut]:
        passkey = await passkeys.finish_registration(
            db, settings, data.challenge_id, data.code, data.credential, data.label, now, evidence
        )
        return await _signed_in(request, db, settings, passkey.person_id, passkey.id, now)

    @post("/login/options", operation_id="loginOptions", status_code=200)
    async def login_options(self, db: Db, settings: Conf, now: Now) -> CeremonyOut:
        challenge, options = await passkeys.login_options(db, settings, now)
        return CeremonyOut(challenge_id=challenge.id, options=options)

    @post("/login/verify", operation_id="loginVerify", status_code=200)
    async def login_verify(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginVerifyIn],
        db: Db,
        settings: Conf,
        now: Now,
        evidence: ClientEvidence,
    ) -> Response[MeOut]:
        passkey = await passkeys.finish_login(db, settings, data.challenge_id, data.credential, now, evidence)
        return await _signed_in(request, db, settings, passkey.person_id, passkey.id, now)

    @post("/logout", operation_id="logout", status_code=200)
    async def logout(
        self, request: Request[Any, Any, Any], db: Db, settings: Conf, now: Now, evidence: ClientEvidence
    ) -> Response[dict[str, bool]]:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.close_session(db, token, now, evidence)
        return Response({"ok": True}, cookies=[_session_cookie(settings, None)])

    @get("/me", operation_id="me")
    async def me(self, db: Db, principal: Caller) -> MeOut:
        return await _me(db, principal)
