"""Faults, bounded and on loopback: the push service answers 503 for a while, Redis stops mid-stream and
comes back, an API worker is killed mid-delivery. Every alarm reaches every routed phone, none twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from backend.db.engine import transaction
from backend.push.models import SENDING, PushMessage
from tests.backend.alarms.edge_uplink import BrowserPhone, EdgeUplink, subscribe_phones, wait_for_deliveries
from tests.backend.alarms.plant import make_plant
from tests.backend.alarms.processes import SECRET, PrivateRedis, Stack

ROUTED = {"guardian", "team_leader", "inspector", "safety_officer"}  # tier 1 in area SA-A1


@pytest.fixture
def stack(tmp_path, database_url):
    stack = Stack(tmp_path, database_url)
    yield stack
    stack.stop()


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def sim_call(sim: str, method: str, path: str, body: dict | None = None) -> dict:
    async with httpx.AsyncClient(base_url=sim, timeout=5) as client:
        res = await client.request(method, path, json=body)
        return dict(res.json())


async def _plant(sessionmaker):
    async with transaction(sessionmaker) as db:
        return await make_plant(db, SECRET.encode(), datetime.now(UTC))


def assert_each_once(deliveries: list[dict], phones: dict[str, BrowserPhone], alarm_ids: list[str]) -> None:
    """Every routed phone has every alarm exactly once; nobody else has any."""
    for name, phone in phones.items():
        seen = Counter(m["alarm_id"] for m in phone.messages(deliveries))
        expected = dict.fromkeys(alarm_ids, 1) if name in ROUTED else {}
        assert dict(seen) == expected, f"{name}: {dict(seen)}"
    assert len(deliveries) == len(alarm_ids) * len(ROUTED)


async def test_a_push_service_outage_delays_but_loses_nothing(stack, sessionmaker):
    plant = await _plant(sessionmaker)
    sim, api = stack.push_sim(), stack.serve()
    phones = await subscribe_phones(api.url, sim.url, sessionmaker, plant.people)
    await sim_call(sim.url, "POST", "/control", {"fail_seconds": 4, "fail_status": 503, "retry_after": 1})
    edge = EdgeUplink(api.url, plant.edge_token)
    alarms = [(await edge.raise_alarm("person_under_load", area_code="SA-A1"))["alarm_id"] for _ in range(8)]
    await edge.aclose()
    deliveries = await wait_for_deliveries(sim.url, len(alarms) * len(ROUTED), seconds=45)
    assert_each_once(deliveries, phones, alarms)
    assert int((await sim_call(sim.url, "GET", "/health"))["attempts"].get("503", 0)) > 0


async def test_redis_stopping_mid_stream_delays_but_loses_nothing(stack, sessionmaker, redis):
    plant = await _plant(sessionmaker)
    sim = stack.push_sim()
    api = stack.serve(TEZUO_REDIS_URL=redis.url)
    phones = await subscribe_phones(api.url, sim.url, sessionmaker, plant.people)
    edge = EdgeUplink(api.url, plant.edge_token)
    alarms = []
    for phase in ("up", "down", "back"):
        if phase == "down":
            redis.stop()  # mid-stream: alarms keep coming, the stream is gone
        if phase == "back":
            redis.start()  # empty: no stream, no consumer group, nothing pending
        for _ in range(5):
            alarms.append((await edge.raise_alarm("person_under_load", area_code="SA-A1"))["alarm_id"])
            await asyncio.sleep(0.1)
    await edge.aclose()
    deliveries = await wait_for_deliveries(sim.url, len(alarms) * len(ROUTED), seconds=45)
    assert_each_once(deliveries, phones, alarms)


async def test_killing_an_api_worker_mid_delivery_loses_nothing(stack, sessionmaker, redis, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("several API workers share PostgreSQL, not one SQLite file")
    plant = await _plant(sessionmaker)
    sim = stack.push_sim()
    workers = {"TEZUO_REDIS_URL": redis.url, "TEZUO_PUSH_LEASE_SECONDS": "8"}
    doomed, survivor = stack.serve("api-a", **workers), stack.serve("api-b", **workers)
    phones = await subscribe_phones(survivor.url, sim.url, sessionmaker, plant.people)
    # The push service takes its time answering: requests pile up in flight on both workers.
    await sim_call(sim.url, "POST", "/control", {"hold": True})
    edge = EdgeUplink(doomed.url, plant.edge_token)
    alarms = [(await edge.raise_alarm("person_under_load", area_code="SA-A1"))["alarm_id"] for _ in range(6)]
    await edge.aclose()

    async def in_flight_on_doomed() -> int:
        async with transaction(sessionmaker) as db:
            owned = PushMessage.lease_owner.like(f"%:{doomed.pid}:%")
            return int(await db.scalar(select(func.count()).where(PushMessage.status == SENDING, owned)) or 0)

    in_flight = 0
    for _ in range(200):
        in_flight = await in_flight_on_doomed()
        if in_flight and (await sim_call(sim.url, "GET", "/health"))["held"]:
            break
        await asyncio.sleep(0.05)
    assert in_flight > 0, "the worker to be killed had nothing in flight"
    doomed.kill()  # SIGKILL mid-delivery: its requests die unanswered, its leases stay taken
    await sim_call(sim.url, "POST", "/control", {"hold": False})
    deliveries = await wait_for_deliveries(sim.url, len(alarms) * len(ROUTED), seconds=45)
    assert_each_once(deliveries, phones, alarms)
    async with transaction(sessionmaker) as db:
        retried = await db.scalar(select(func.count()).where(PushMessage.attempts > 1))
    assert retried and retried >= in_flight, "the survivor took over what the killed worker held"
