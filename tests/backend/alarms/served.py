"""The app under a real uvicorn on 127.0.0.1 inside the test's event loop (for SSE, which needs a socket)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest_asyncio
import uvicorn

from backend.app import create_app
from backend.auth.service import open_session
from backend.db.engine import transaction
from backend.http.deps import SESSION_COOKIE
from backend.people.models import Person
from tests.backend.push.support import eventually


@pytest_asyncio.fixture
async def served(
    settings, clock, sessionmaker
) -> AsyncIterator[Callable[[Person], Awaitable[httpx.AsyncClient]]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, clock), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    clients: list[httpx.AsyncClient] = []

    async def as_person(person: Person) -> httpx.AsyncClient:
        async with transaction(sessionmaker) as db:
            token = await open_session(db, person.id, None, clock(), 8)
        client = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", cookies={SESSION_COOKIE: token}, timeout=10
        )
        clients.append(client)
        return client

    try:
        yield as_person
    finally:
        for client in clients:
            await client.aclose()
        server.should_exit = True
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(task, 5)


__all__: list[Any] = ["served"]
