"""API fixtures: the real Litestar app over ASGI, org + people factories, signed-in clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.auth.service import open_session
from backend.config import Settings
from backend.db.engine import transaction
from backend.http.deps import SESSION_COOKIE
from backend.people.models import Person
from tests.factories import Org, make_org

Client = AsyncTestClient[Any]


@pytest.fixture
async def app_client(
    settings: Settings, clock: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(settings, clock), base_url=settings.base_url) as client:
        yield client


@pytest.fixture
async def org(sessionmaker: async_sessionmaker[AsyncSession]) -> Org:
    async with transaction(sessionmaker) as db:
        return await make_org(db)


def sibling(running: Client) -> Client:
    """Another client of `running`'s app, with its own cookies and headers, served through the same
    portal and lifespan. Building the Litestar app costs ~0.5 s of CPU (every handler's signature
    and kwargs model), so a test's people share one app, as they would share one server."""
    client: Client = AsyncTestClient(app=running.app, base_url=str(running.base_url))
    client.blocking_portal = running.blocking_portal
    return client


@pytest.fixture
async def client_as(
    request: pytest.FixtureRequest,
    settings: Settings,
    clock: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Callable[[Person], Awaitable[Client]]]:
    """A client signed in as a person (session opened directly; passkey login is tested apart).
    Every client of one test talks to the same app instance: the test's `app_client` when it has
    one, else one built on the first call."""
    async with AsyncExitStack() as stack:
        running: list[Client] = []
        if "app_client" in request.fixturenames:
            running.append(request.getfixturevalue("app_client"))

        async def make(person: Person) -> Client:
            async with transaction(sessionmaker) as db:
                token = await open_session(db, person.id, None, clock(), 8)
            if not running:
                running.append(
                    await stack.enter_async_context(
                        AsyncTestClient(app=create_app(settings, clock), base_url=settings.base_url)
                    )
                )
            client = sibling(running[0])
            client.headers["cookie"] = f"{SESSION_COOKIE}={token}"
            return client

        yield make
