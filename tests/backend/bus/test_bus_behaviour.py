"""Pub/sub delivery and stream consumer groups behave the same in-process and on Redis."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from backend.bus import Bus, NoGroup, make_bus
from backend.bus.memory import InProcessBus
from backend.bus.redis_bus import RedisBus
from backend.config import Settings


async def _next(sub, wait: float = 2.0) -> bytes:
    return await asyncio.wait_for(anext(sub), wait)


async def test_publish_reaches_every_subscriber_of_the_topic_in_order(bus: Bus):
    async with (
        bus.subscribe("alarms.site-a") as one,
        bus.subscribe("alarms.site-a") as two,
        bus.subscribe("alarms.site-b") as other,
    ):
        assert await bus.publish("alarms.site-a", b"\x00raw") == 2
        assert await bus.publish("alarms.site-a", {"kind": "h2s", "ppm": 12.5, "area": "罐区"}) == 2
        for sub in (one, two):
            assert await _next(sub) == b"\x00raw"
            assert msgspec.json.decode(await _next(sub)) == {"kind": "h2s", "ppm": 12.5, "area": "罐区"}
        with pytest.raises(TimeoutError):
            await _next(other, wait=0.2)


async def test_closed_subscription_no_longer_receives(bus: Bus):
    sub = bus.subscribe("permits")
    async with sub:
        assert await bus.publish("permits", b"one") == 1
        assert await _next(sub) == b"one"
    assert await bus.publish("permits", b"two") == 0
    with pytest.raises(StopAsyncIteration):
        await _next(sub)


async def test_consumers_in_a_group_share_entries_and_groups_each_get_all(bus: Bus):
    ids = [await bus.xadd("alarms", {"seq": n, "kind": "gas"}) for n in range(6)]
    await bus.ensure_group("alarms", "notifier")
    await bus.ensure_group("alarms", "notifier")  # idempotent
    await bus.ensure_group("alarms", "archiver")

    first = await bus.read_group("alarms", "notifier", "api-1", count=4)
    second = await bus.read_group("alarms", "notifier", "api-2", count=10)
    assert [e.id for e in first] == ids[:4]
    assert [e.id for e in second] == ids[4:]
    assert first[0].fields == {"seq": "0", "kind": "gas"}
    assert await bus.read_group("alarms", "notifier", "api-1") == []

    archived = await bus.read_group("alarms", "archiver", "arch-1", count=100)
    assert [e.id for e in archived] == ids


async def test_group_started_at_dollar_sees_only_new_entries(bus: Bus):
    await bus.xadd("jobs", {"n": 1})
    await bus.ensure_group("jobs", "late", start="$")
    new_id = await bus.xadd("jobs", {"n": 2})
    assert [e.id for e in await bus.read_group("jobs", "late", "w")] == [new_id]


async def test_blocking_read_wakes_up_for_a_new_entry(bus: Bus):
    await bus.ensure_group("jobs", "workers")
    assert await bus.read_group("jobs", "workers", "w1", block_ms=50) == []
    reader = asyncio.create_task(bus.read_group("jobs", "workers", "w1", block_ms=5000))
    await asyncio.sleep(0.1)
    entry_id = await bus.xadd("jobs", {"timer": "push:P-1"})
    [entry] = await asyncio.wait_for(reader, 3)
    assert (entry.id, entry.fields) == (entry_id, {"timer": "push:P-1"})


async def test_ack_removes_an_entry_from_pending(bus: Bus):
    await bus.ensure_group("alarms", "notifier")
    one = await bus.xadd("alarms", {"n": 1})
    two = await bus.xadd("alarms", {"n": 2})
    await bus.read_group("alarms", "notifier", "api-1")
    assert [(p.id, p.consumer, p.deliveries) for p in await bus.pending("alarms", "notifier")] == [
        (one, "api-1", 1),
        (two, "api-1", 1),
    ]
    assert await bus.ack("alarms", "notifier", one) == 1
    assert await bus.ack("alarms", "notifier", one) == 0
    assert [p.id for p in await bus.pending("alarms", "notifier")] == [two]


async def test_unacked_entry_is_claimed_by_another_consumer_after_min_idle(bus: Bus):
    await bus.ensure_group("alarms", "notifier")
    done = await bus.xadd("alarms", {"n": 1})
    stuck = await bus.xadd("alarms", {"n": 2})
    await bus.read_group("alarms", "notifier", "api-1")
    await bus.ack("alarms", "notifier", done)  # api-1 handles one entry, then dies

    assert await bus.claim_stale("alarms", "notifier", "api-2", min_idle_ms=300) == []
    await asyncio.sleep(0.35)
    [claimed] = await bus.claim_stale("alarms", "notifier", "api-2", min_idle_ms=300)
    assert (claimed.id, claimed.fields) == (stuck, {"n": "2"})
    [pending] = await bus.pending("alarms", "notifier")
    assert (pending.id, pending.consumer, pending.deliveries) == (stuck, "api-2", 2)
    # Just claimed, so not idle any more: a third consumer cannot grab it straight away.
    assert await bus.claim_stale("alarms", "notifier", "api-3", min_idle_ms=300) == []
    assert await bus.ack("alarms", "notifier", stuck) == 1
    assert await bus.pending("alarms", "notifier") == []


async def test_reading_a_missing_group_is_an_error(bus: Bus):
    await bus.xadd("alarms", {"n": 1})
    with pytest.raises(NoGroup):
        await bus.read_group("alarms", "nobody", "c")


async def test_make_bus_picks_redis_only_when_a_url_is_set(tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        database_url="sqlite+aiosqlite://",
        redis_url=None,
        base_url="http://localhost:8000",
        secret_key=b"k",
        pwa_dir=tmp_path,
    )
    assert isinstance(make_bus(settings), InProcessBus)
    redis = make_bus(msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:6379/0"))
    assert isinstance(redis, RedisBus)
    assert redis.prefix == "tezuo:"
    await redis.close()
