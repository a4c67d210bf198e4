"""The outbox: enqueue once per device, claim exclusively, settle 2xx/404/410/429/5xx, retry with backoff."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.core.errors import Invalid
from backend.db.engine import transaction
from backend.push import service as push
from backend.push.models import EXPIRED, PENDING, SENT, PushMessage, PushSubscription
from backend.push.webpush import PushResult
from tests.backend.push.support import eventually, make_worker, subscribe_phone
from tests.factories import make_org, make_person

PAYLOAD = {"v": 1, "type": "notice", "title": "作业许可即将开始", "body": "动火作业 30 分钟后开始"}


@pytest.fixture
async def two_phones(sessionmaker, settings, clock, push_sim):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        person = await make_person(
            db, settings.secret_key, org.team_a, "监护人甲", [("guardian", org.team_a)]
        )
        phones = [await subscribe_phone(db, person, push_sim, clock()) for _ in range(2)]
    return person, phones


async def _messages(sessionmaker) -> list[PushMessage]:
    async with transaction(sessionmaker) as db:
        return list(await db.scalars(select(PushMessage).order_by(PushMessage.created_at)))


async def _enqueue(sessionmaker, clock, person, key: str, *, urgency: str, ttl: int) -> None:
    """One message for `person`'s phones, committed in a transaction of its own."""
    async with transaction(sessionmaker) as db:
        await push.enqueue(
            db, person_ids=[person.id], payload=PAYLOAD, urgency=urgency, ttl=ttl, dedupe_key=key, now=clock()
        )


async def test_enqueue_reaches_each_device_once_per_dedupe_key(sessionmaker, clock, two_phones):
    person, _ = two_phones
    for _ in range(2):  # a retried caller, an escalation reaching the same person again
        async with transaction(sessionmaker) as db:
            added = await push.enqueue(
                db,
                person_ids=[person.id],
                payload=PAYLOAD,
                urgency="high",
                ttl=600,
                dedupe_key="permit:P1",
                now=clock(),
            )
    assert added == 0  # the second call added nothing
    messages = await _messages(sessionmaker)
    assert len(messages) == 2 and {m.status for m in messages} == {PENDING}
    assert messages[0].topic == push.topic_of("permit:P1") and len(messages[0].topic) <= 32


async def test_enqueue_refuses_what_a_push_service_would(sessionmaker, clock, two_phones):
    person, _ = two_phones
    async with transaction(sessionmaker) as db:
        for kwargs in ({"urgency": "urgent"}, {"ttl": -1}, {"payload": {"body": "字" * 2000}}):
            args = {"payload": PAYLOAD, "urgency": "high", "ttl": 60, **kwargs}
            with pytest.raises(Invalid):
                await push.enqueue(db, person_ids=[person.id], dedupe_key="k", now=clock(), **args)  # type: ignore[arg-type]


async def test_the_worker_delivers_encrypted_messages_each_phone_can_read(
    sessionmaker, clock, two_phones, push_sim, tmp_path
):
    person, phones = two_phones
    await _enqueue(sessionmaker, clock, person, "permit:P2", urgency="high", ttl=600)
    worker = make_worker(sessionmaker, clock, tmp_path)
    assert await worker.deliver() == {SENT: 2}
    assert await worker.deliver() == {}  # nothing left: sent messages are never sent again
    for phone in phones:
        assert phone.messages(push_sim) == [PAYLOAD | {"person_id": str(person.id)}]  # the recipient added
    assert {d["urgency"] for d in push_sim.deliveries} == {"high"}
    await worker.sender.aclose()


async def test_an_outage_is_retried_with_backoff_and_loses_nothing(
    sessionmaker, clock, two_phones, push_sim, tmp_path
):
    person, phones = two_phones
    await _enqueue(sessionmaker, clock, person, "permit:P3", urgency="high", ttl=600)
    worker = make_worker(sessionmaker, clock, tmp_path)
    push_sim.control({"fail_seconds": 3600, "fail_status": 503, "retry_after": 5})
    assert await worker.deliver() == {PENDING: 2}
    assert await worker.deliver() == {}, "not due again before Retry-After"
    first = await _messages(sessionmaker)
    assert all(m.next_attempt_at == clock() + timedelta(seconds=5) and m.last_status == 503 for m in first)
    clock.advance(seconds=5)
    push_sim.control({"fail_seconds": 3600, "fail_status": 429})  # now rate limited, no Retry-After
    assert await worker.deliver() == {PENDING: 2}
    assert all(m.next_attempt_at == clock() + timedelta(seconds=2) for m in await _messages(sessionmaker))
    push_sim.control({"fail_seconds": 0})
    clock.advance(seconds=2)
    assert await worker.deliver() == {SENT: 2}
    assert [len(p.messages(push_sim)) for p in phones] == [1, 1]
    await worker.sender.aclose()


async def test_a_gone_subscription_is_pruned(sessionmaker, clock, two_phones, push_sim, tmp_path):
    person, phones = two_phones
    await _enqueue(sessionmaker, clock, person, "k410", urgency="normal", ttl=60)
    push_sim.control({"gone": [phones[0].token]})
    worker = make_worker(sessionmaker, clock, tmp_path)
    assert await worker.deliver() == {"gone": 1, SENT: 1}
    async with transaction(sessionmaker) as db:
        left = list(await db.scalars(select(PushSubscription.device_id)))
        assert left == [phones[1].device_id]
        # Later messages skip the pruned phone.
        assert (
            await push.enqueue(
                db,
                person_ids=[person.id],
                payload=PAYLOAD,
                urgency="low",
                ttl=60,
                dedupe_key="k2",
                now=clock(),
            )
            == 1
        )
    await worker.sender.aclose()


async def test_a_message_past_its_ttl_expires_instead_of_arriving_late(
    sessionmaker, clock, two_phones, push_sim, tmp_path
):
    person, _ = two_phones
    await _enqueue(sessionmaker, clock, person, "short", urgency="normal", ttl=3)
    push_sim.control({"fail_seconds": 3600, "retry_after": 10})
    worker = make_worker(sessionmaker, clock, tmp_path)
    assert await worker.deliver() == {EXPIRED: 2}  # the next try would come after the deadline
    await worker.sender.aclose()


async def test_two_workers_never_claim_the_same_message(sessionmaker, clock, two_phones):
    person, _ = two_phones
    await _enqueue(sessionmaker, clock, person, "race", urgency="high", ttl=60)
    async with transaction(sessionmaker) as db:
        mine = await push.claim(db, "worker-a", clock(), 30)
    async with transaction(sessionmaker) as db:
        assert await push.claim(db, "worker-b", clock(), 30) == []
    clock.advance(seconds=31)  # worker-a died holding them: after the lease they are taken over
    async with transaction(sessionmaker) as db:
        theirs = await push.claim(db, "worker-b", clock(), 30)
    assert {m.id for m, _ in mine} == {m.id for m, _ in theirs}
    async with transaction(sessionmaker) as db:  # worker-a's late answer no longer counts
        assert await push.settle(db, "worker-a", clock(), [(m, s, PushResult(201)) for m, s in mine]) == {}
        assert await push.settle(db, "worker-b", clock(), [(m, s, PushResult(201)) for m, s in theirs]) == {
            SENT: 2
        }


async def test_settled_messages_are_purged_after_30_days(sessionmaker, clock, two_phones, push_sim, tmp_path):
    person, _ = two_phones
    async with transaction(sessionmaker) as db:
        await push.enqueue(
            db, person_ids=[person.id], payload=PAYLOAD, urgency="low", ttl=60, dedupe_key="old", now=clock()
        )
    worker = make_worker(sessionmaker, clock, tmp_path)
    assert await worker.sweep() == 2  # the first sweep purges nothing and delivers both
    clock.advance(days=29)
    await worker.sweep()
    assert len(await _messages(sessionmaker)) == 2
    clock.advance(days=2)
    await worker.sweep()
    assert await _messages(sessionmaker) == []
    await worker.sender.aclose()


async def test_a_worker_never_claims_again_what_it_is_still_sending(
    sessionmaker, clock, two_phones, push_sim, tmp_path
):
    """A starved process settling late (its lease ran out meanwhile) must not send the message twice."""
    person, phones = two_phones
    await _enqueue(sessionmaker, clock, person, "slow", urgency="high", ttl=600)
    worker = make_worker(sessionmaker, clock, tmp_path)
    push_sim.control({"hold": True})  # the push service takes its time answering
    first = asyncio.create_task(worker.deliver())
    await eventually(lambda: push_sim.held == 2)
    clock.advance(seconds=31)  # by the database's clock the lease has run out
    assert await worker.deliver() == {}  # the sweep leaves what this worker holds in flight
    message = (await _messages(sessionmaker))[0]
    assert await worker.deliver([message.id]) == {}  # and so does a stream entry naming it
    push_sim.control({"hold": False})
    assert await first == {SENT: 2}
    assert [len(p.messages(push_sim)) for p in phones] == [1, 1]
    await worker.sender.aclose()
