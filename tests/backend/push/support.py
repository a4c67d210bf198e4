"""Test support for push: the simulator on a real socket, phones with their own keys, a worker to drive."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.bus.memory import InProcessBus
from backend.people.models import Person
from backend.push import subscriptions
from backend.push.ece import UserAgentKeys, decrypt
from backend.push.schemas import SubscriptionIn, SubscriptionKeys
from backend.push.simulator import PushSimulator
from backend.push.vapid import VapidSigner, load_or_create
from backend.push.webpush import WebPushSender
from backend.push.worker import DeliveryWorker


@pytest_asyncio.fixture
async def push_sim() -> AsyncIterator[PushSimulator]:
    """The push-service simulator on 127.0.0.1, a free port."""
    sim = PushSimulator()
    await sim.start()
    yield sim
    await sim.close()


@dataclass
class Phone:
    """A browser's subscription: the device id we gave it and the keys only the browser has."""

    person: Person
    device_id: uuid.UUID
    keys: UserAgentKeys
    token: str  # the simulator's name for the endpoint

    def messages(self, sim: PushSimulator) -> list[dict[str, Any]]:
        """Every message the push service accepted for this phone, decrypted with its private key."""
        import base64

        return [
            msgspec.json.decode(decrypt(base64.b64decode(d["body"]), self.keys))
            for d in sim.deliveries
            if d["token"] == self.token
        ]


async def subscribe_phone(db: AsyncSession, person: Person, sim: PushSimulator, now: datetime) -> Phone:
    keys = UserAgentKeys.generate()
    endpoint = sim.new_subscription()
    data = SubscriptionIn(endpoint=endpoint["endpoint"], keys=SubscriptionKeys(**keys.subscription_keys()))
    sub = await subscriptions.subscribe(db, person.id, data, now, "pytest phone")
    return Phone(person, sub.device_id, keys, endpoint["token"])


def make_worker(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Any, keys_dir: Path, **kwargs: Any
) -> DeliveryWorker:
    """A delivery worker with a real sender; tests call `deliver()`/`sweep()` themselves."""
    signer = VapidSigner(load_or_create(keys_dir), "mailto:safety@localhost")
    return DeliveryWorker(
        sessionmaker, kwargs.pop("bus", InProcessBus()), WebPushSender(signer), clock, **kwargs
    )


async def eventually(check: Any, seconds: float = 10, step: float = 0.01) -> None:
    """Wait until `check()` is true (a bounded wait, never a timing assertion)."""
    import asyncio

    for _ in range(int(seconds / step)):
        if check():
            return
        await asyncio.sleep(step)
    raise AssertionError(f"still not true after {seconds} s: {check}")
