"""Request-scoped dependencies: the database transaction, the clock, the signed-in principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.auth.service import principal_for
from backend.config import Settings
from backend.core.errors import Unauthorized

SESSION_COOKIE = "tezuo_session"


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, rolled back if it raises."""
    async with state.sessionmaker() as session, session.begin():
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
    return await principal_for(db, token, now)


# Handler parameter types: name-based injection of the dependencies registered in app.py.
Db = NamedDependency[AsyncSession]
Now = NamedDependency[datetime]
Conf = NamedDependency[Settings]
Caller = NamedDependency[Principal]
