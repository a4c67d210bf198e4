"""Stands in for the edge node's uplink (issue 10) and for phones, talking to a served API over sockets."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.auth.service import open_session
from backend.core.ids import uuid7
from backend.db.engine import transaction
from backend.http.deps import SESSION_COOKIE
from backend.people.models import Person
from backend.push.ece import UserAgentKeys, decrypt
from tests.backend.alarms.plant import alarm_body, device_headers


class EdgeUplink:
    """Signs every request afresh (token, timestamp, nonce) and retries until the server has the alarm,
    as the edge's store-and-forward will: a lost answer or a 5xx is retried with the same alarm id."""

    def __init__(self, base_url: str, token: str):
        self.token = token
        self.client = httpx.AsyncClient(base_url=base_url, timeout=10)

    async def raise_alarm(self, kind: str, **extra: Any) -> dict[str, Any]:
        body = alarm_body(kind, **extra) | {"alarm_id": str(uuid7())}
        for attempt in range(60):
            try:
                res = await self.client.post(
                    "/api/alarms/ingest", json=body, headers=device_headers(self.token, datetime.now(UTC))
                )
            except httpx.TransportError:
                await asyncio.sleep(min(1.0, 0.1 * (attempt + 1)))
                continue
            if res.status_code in (200, 201):
                return {**res.json(), "alarm_id": body["alarm_id"]}
            if res.status_code >= 500 or res.json().get("code") == "alarm_in_progress":
                await asyncio.sleep(min(1.0, 0.1 * (attempt + 1)))
                continue
            raise AssertionError(f"ingest refused: {res.status_code} {res.text}")
        raise AssertionError("ingest never succeeded")

    async def aclose(self) -> None:
        await self.client.aclose()


@dataclass
class BrowserPhone:
    """A person's browser: subscribed through the API, keys known only here (as in a real browser)."""

    name: str
    person: Person
    keys: UserAgentKeys
    token: str
    device_id: str

    def messages(self, deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            msgspec.json.decode(decrypt(base64.b64decode(d["body"]), self.keys))
            for d in deliveries
            if d["token"] == self.token
        ]


async def subscribe_phones(
    api: str, sim: str, sessionmaker: async_sessionmaker[AsyncSession], people: dict[str, Person]
) -> dict[str, BrowserPhone]:
    phones = {}
    for name, person in people.items():
        async with transaction(sessionmaker) as db:
            session = await open_session(db, person.id, None, datetime.now(UTC), 8)
        async with httpx.AsyncClient(timeout=10, cookies={SESSION_COOKIE: session}) as client:
            endpoint = (await client.post(f"{sim}/subscriptions", json={})).json()
            keys = UserAgentKeys.generate()
            res = await client.post(
                f"{api}/api/push/subscriptions",
                json={"endpoint": endpoint["endpoint"], "keys": keys.subscription_keys()},
            )
            assert res.status_code == 201, res.text
            phones[name] = BrowserPhone(name, person, keys, endpoint["token"], res.json()["device_id"])
    return phones


async def wait_for_deliveries(sim: str, count: int, seconds: float = 30) -> list[dict[str, Any]]:
    """Poll the simulator until it has accepted `count` messages (or time is up)."""
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            deliveries: list[dict[str, Any]] = (await client.get(f"{sim}/deliveries")).json()["deliveries"]
            if len(deliveries) >= count or asyncio.get_running_loop().time() > deadline:
                return deliveries
            await asyncio.sleep(0.1)
