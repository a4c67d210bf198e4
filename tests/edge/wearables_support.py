"""Wristband test helpers: a node with the wearables gateway against the served app and the real
Mosquitto on 127.0.0.1:1883 (a unique topic per test), and a publisher."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiomqtt

MQTT_HOST, MQTT_PORT = "127.0.0.1", 1883


async def wait_until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll a condition the node reaches over real sockets (MQTT delivery is asynchronous)."""
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


def unique_topic() -> str:
    return f"tezuo-test/{uuid.uuid4().hex[:12]}/bands"


@contextlib.asynccontextmanager
async def publisher() -> AsyncIterator[Callable[..., Any]]:
    """Publish to the real broker (QoS 1). Mosquitto down is a failure, never a skip."""
    async with aiomqtt.Client(MQTT_HOST, MQTT_PORT) as client:

        async def publish(topic: str, body: dict[str, Any] | bytes) -> None:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            await client.publish(topic, raw, qos=1)

        yield publish


@contextlib.asynccontextmanager
async def mqtt_running(node: Any) -> AsyncIterator[None]:
    """The node's MQTT subscriber as a task, subscribed before the test publishes."""
    task = asyncio.create_task(node.wearables.run_mqtt())
    try:
        await asyncio.wait_for(node.wearables.mqtt_connected.wait(), 5)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
