"""One behavioural suite, two buses: the in-process one and a real Redis on 127.0.0.1."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.bus import Bus
from backend.bus.memory import InProcessBus
from backend.bus.redis_bus import RedisBus

REDIS_URL = os.environ.get("TEZUO_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI") == "true"


async def _redis_or_skip() -> Redis:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        await client.ping()
    except (OSError, RedisConnectionError, RedisTimeoutError):
        await client.aclose()
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (CI must start it)")
        pytest.skip("Redis not reachable (set CI=true to make this a failure)")
    return client


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    """A fresh bus; on Redis every key of the test lives under its own random prefix."""
    if request.param == "memory":
        memory = InProcessBus()
        yield memory
        await memory.close()
        return
    client = await _redis_or_skip()
    prefix = f"tezuo-test:{uuid.uuid4().hex}:"
    redis_bus = RedisBus(client, prefix)
    try:
        yield redis_bus
    finally:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await redis_bus.close()
