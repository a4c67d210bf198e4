"""The outbox delivers over HTTP with retries and backoff, keeps one person's gate messages in
order, and parks messages when no endpoint is configured."""

from __future__ import annotations

import httpx
import msgspec

from backend.db.engine import transaction
from backend.integrations import service as outbox
from backend.integrations.adapters import DeliveryError, HttpHrWebhook, sign
from backend.integrations.models import OutboxMessage
from backend.integrations.simulator import SimServer, SimState
from backend.jobs.registry import HANDLERS
from backend.jobs.scheduler import Scheduler
from tests.backend.workers.conftest import SECRET, drain

PERSON = {"person_id": "p-1", "name": "赵铁柱", "id_number_masked": "3201**********123X"}


async def _enqueue(sessionmaker, clock, kind, key, target="gate"):
    async with transaction(sessionmaker) as db:
        payload = {"person": PERSON, "reason": "expired"}
        return await outbox.enqueue(
            db, target, kind, payload, dedupe_key=key, ordering_key="gate:p-1", now=clock()
        )


async def test_failed_deliveries_are_retried_with_backoff_then_sent(sessionmaker, clock, make_scheduler, sim):
    sim.state.fail_next["gate"] = [503, 503]
    message = await _enqueue(sessionmaker, clock, "access.revoke", "k1")
    assert await _enqueue(sessionmaker, clock, "access.revoke", "k1") is not None  # idempotent
    await drain(make_scheduler())
    clock.advance(seconds=29)
    await drain(make_scheduler())
    assert len(sim.state.of("gate")) == 1  # the second try waits 30 s
    clock.advance(seconds=1)
    await drain(make_scheduler())
    clock.advance(seconds=60)
    await drain(make_scheduler())
    tries = sim.state.of("gate")
    assert len(tries) == 3 and {t.idempotency_key for t in tries} == {str(message.id)}
    assert sim.state.gate["p-1"] is False
    async with sessionmaker() as db:
        row = await db.get(OutboxMessage, message.id)
        assert (row.status, row.attempts, row.response_status, row.last_error) == ("sent", 3, 200, None)


async def test_a_persons_gate_messages_arrive_in_order(sessionmaker, clock, make_scheduler, sim):
    sim.state.fail_next["gate"] = [502]
    await _enqueue(sessionmaker, clock, "access.revoke", "rev")
    await _enqueue(sessionmaker, clock, "access.restore", "res")
    await drain(make_scheduler())
    assert [r.path for r in sim.state.of("gate")] == ["/gate/access/revoke"]  # restore waits
    for _ in range(4):
        clock.advance(seconds=31)
        await drain(make_scheduler())
    paths = [r.path for r in sim.state.of("gate")]
    assert paths == ["/gate/access/revoke", "/gate/access/revoke", "/gate/access/restore"]
    assert sim.state.gate["p-1"] is True


async def test_gives_up_after_max_attempts(sessionmaker, clock, make_scheduler, sim):
    sim.state.fail_next["hr"] = [500] * 20
    async with transaction(sessionmaker) as db:
        message = await outbox.enqueue(
            db, "hr", "retraining.requested", {"x": 1}, dedupe_key="hr1", ordering_key="hr:p", now=clock()
        )
        row = await db.get(OutboxMessage, message.id)
        row.max_attempts = 3
    for _ in range(6):
        await drain(make_scheduler())
        clock.advance(minutes=10)
    async with sessionmaker() as db:
        row = await db.get(OutboxMessage, message.id)
        assert (row.status, row.attempts, row.response_status) == ("failed", 3, 500)
    assert len(sim.state.of("hr")) == 3


async def test_without_an_endpoint_messages_wait_unrouted(sessionmaker, clock, settings):
    bare = msgspec.structs.replace(settings, gate_url=None)
    message = await _enqueue(sessionmaker, clock, "access.revoke", "nowhere")
    await drain(Scheduler(sessionmaker, clock, "s", HANDLERS, seeds=(), settings=bare))
    async with sessionmaker() as db:
        row = await db.get(OutboxMessage, message.id)
        assert row.status == "unrouted" and "no endpoint" in (row.last_error or "")


async def test_the_webhook_adapter_signs_and_reports_failures():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if len(seen) == 1 else 202)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        hr = HttpHrWebhook(client, "http://hr.example/webhook", SECRET)
        try:
            await hr.send("retraining.requested", {"a": 1}, idempotency_key="m-1")
        except DeliveryError as exc:
            assert exc.status == 503
        assert await hr.send("retraining.requested", {"a": 1}, idempotency_key="m-1") == 202
    assert seen[1].headers["idempotency-key"] == "m-1"
    assert seen[1].headers["x-tezuo-signature"] == sign(SECRET, seen[1].content)


async def test_simulator_refuses_a_bad_signature_and_marks_duplicates():
    server = SimServer(SimState(secret=SECRET))
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            bad = await client.post(server.hr_url, content=b"{}", headers={"X-Tezuo-Signature": "sha256=00"})
            good = HttpHrWebhook(client, server.hr_url, SECRET)
            await good.send("e", {}, idempotency_key="same")
            await good.send("e", {}, idempotency_key="same")
            listed = (await client.get(f"{server.url}/_sim/received", params={"target": "hr"})).json()
    finally:
        await server.stop()
    assert bad.status_code == 401
    assert [(r["signature_ok"], r["duplicate"]) for r in listed] == [
        (False, False),
        (True, False),
        (True, True),
    ]
