"""Request-scoped dependencies: the database transaction, the clock, the signed-in principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.audit.schemas import Evidence
from backend.auth.principal import Principal
from backend.auth.service import principal_for
from backend.config import Settings
from backend.core.errors import Unauthorized

SESSION_COOKIE = "tezuo_session"
DEVICE_HEADER = "x-tezuo-device"  # the PWA install's fingerprint
HLC_HEADER = "x-tezuo-hlc"  # the device's hybrid logical clock at the time of the action


async def provide_db(state: State, request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, rolled back if it raises.
    Audit entries written in it carry the request's client evidence unless they bring their own."""
    async with state.sessionmaker() as session, session.begin():
        audit.use_evidence(session, provide_evidence(request))
        yield session


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_now(state: State) -> datetime:
    return state.clock()


async def provide_principal(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], now: NamedDependency[datetime]
) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("请先登录", code="not_signed_in")
    who = await principal_for(db, token, now)
    audit.use_evidence(db, audit.session_evidence(db).with_credential(who.credential_id))
    return who


def provide_evidence(request: Request[Any, Any, Any]) -> Evidence:
    """What the audit log keeps about the client; the caller adds the passkey credential."""
    return Evidence(
        channel="api",
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        device_id=request.headers.get(DEVICE_HEADER) or None,
        device_time=request.headers.get(HLC_HEADER) or None,
    ).clipped()


# Handler parameter types: name-based injection of the dependencies registered in app.py.
Db = NamedDependency[AsyncSession]
Now = NamedDependency[datetime]
Conf = NamedDependency[Settings]
Caller = NamedDependency[Principal]
ClientEvidence = NamedDependency[Evidence]
