"""Acknowledge within 90 s or it escalates; response times per tier make the KPI."""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec
import pytest
from sqlalchemy import select

from backend.alarms import actions, board, service
from backend.alarms.models import AlarmRecipient
from backend.alarms.routing import load_routing
from backend.alarms.schemas import AlarmIngest
from backend.core.errors import Conflict, Forbidden
from backend.db.engine import transaction
from backend.jobs.scheduler import Scheduler
from backend.push.models import PushMessage
from tests.backend.push.support import make_worker, subscribe_phone

ROUTING = load_routing()


async def _raise(sessionmaker, plant, clock, tmp_path, kind="person_under_load"):
    body = msgspec.convert(
        {"alarm_id": str(uuid.uuid4()), "kind": kind, "raised_at": clock().isoformat(), "area_code": "SA-A1"},
        AlarmIngest,
    )
    async with transaction(sessionmaker) as db:
        alarm, _, _ = await service.ingest(db, plant.edge, body, clock(), ROUTING, tmp_path)
    return alarm.id


async def _levels(sessionmaker, alarm_id) -> dict[int, set[uuid.UUID]]:
    async with transaction(sessionmaker) as db:
        rows = await db.scalars(select(AlarmRecipient).where(AlarmRecipient.alarm_id == alarm_id))
        levels: dict[int, set[uuid.UUID]] = {}
        for r in rows:
            levels.setdefault(r.level, set()).add(r.person_id)
        return levels


def _scheduler(sessionmaker, clock):
    return Scheduler(sessionmaker, clock, "sched-test", {"alarms.escalate": service.escalate}, seeds=())


async def test_unanswered_for_90_seconds_escalates_level_by_level(
    sessionmaker, plant, clock, tmp_path, push_sim
):
    async with transaction(sessionmaker) as db:
        for name in ("guardian", "director", "vice_president"):
            await subscribe_phone(db, plant.people[name], push_sim, clock())
    alarm_id = await _raise(sessionmaker, plant, clock, tmp_path)
    scheduler = _scheduler(sessionmaker, clock)
    clock.advance(seconds=89)
    assert await scheduler.run_once() == []
    clock.advance(seconds=1)
    [fired] = await scheduler.run_once()
    assert fired.status == "done"
    levels = await _levels(sessionmaker, alarm_id)
    assert levels[1] == {plant.people["director"].id}  # safety officer already had it at level 0
    clock.advance(seconds=90)
    await scheduler.run_once()
    assert (await _levels(sessionmaker, alarm_id))[2] == {plant.people["vice_president"].id}
    async with transaction(sessionmaker) as db:
        alarm = await service.get_alarm(db, alarm_id)
        keys = list(await db.scalars(select(PushMessage.dedupe_key)))
    assert alarm.level == 2 and alarm.escalated_at == clock()
    assert keys == [f"alarm:{alarm_id}"] * 3  # one alarm message per device, whatever the level


async def test_an_answer_stops_the_clock_and_the_escalation(sessionmaker, plant, clock, tmp_path, push_sim):
    async with transaction(sessionmaker) as db:
        phone = await subscribe_phone(db, plant.people["guardian"], push_sim, clock())
    alarm_id = await _raise(sessionmaker, plant, clock, tmp_path)
    worker = make_worker(sessionmaker, clock, tmp_path)
    clock.advance(seconds=2)
    assert await worker.deliver() == {"sent": 1}
    [message] = phone.messages(push_sim)
    assert message["alarm_id"] == str(alarm_id) and message["actions"][0] == {
        "action": "ack",
        "title": "确认",
    }
    clock.advance(seconds=40)
    async with transaction(sessionmaker) as db:
        who = await plant.principal(db, "guardian")
        alarm = await actions.acknowledge(db, who, alarm_id, clock())
        assert (
            alarm.state == "acknowledged" and alarm.response_seconds == 42.0 and alarm.notified_at is not None
        )
    clock.advance(seconds=5)
    async with transaction(sessionmaker) as db:  # a second responder changes nothing
        again = await actions.acknowledge(db, await plant.principal(db, "team_leader"), alarm_id, clock())
        assert again.acknowledged_by == plant.people["guardian"].id and again.response_seconds == 42.0
    clock.advance(seconds=120)
    assert await _scheduler(sessionmaker, clock).run_once() == []  # the escalation timer was cancelled
    assert set(await _levels(sessionmaker, alarm_id)) == {0}
    await worker.sender.aclose()


async def test_the_ack_rule_is_guarded(sessionmaker, plant, clock, tmp_path):
    alarm_id = await _raise(sessionmaker, plant, clock, tmp_path)
    async with transaction(sessionmaker) as db:
        with pytest.raises(Forbidden):  # a guardian of another site
            await actions.acknowledge(db, await plant.principal(db, "guardian_b"), alarm_id, clock())
        with pytest.raises(Forbidden):  # a worker is not a responder
            await actions.acknowledge(db, await plant.principal(db, "worker"), alarm_id, clock())
        officer = await plant.principal(db, "safety_officer")
        await actions.resolve(db, officer, alarm_id, "误报：吊物已落地", clock())
    async with transaction(sessionmaker) as db:
        with pytest.raises(Conflict) as raised:
            await actions.acknowledge(db, await plant.principal(db, "guardian"), alarm_id, clock())
        assert raised.value.code == "alarm_resolved" and raised.value.extra["state"] == "resolved"


async def test_assign_adds_the_assignee_and_queues_their_push(sessionmaker, plant, clock, tmp_path, push_sim):
    async with transaction(sessionmaker) as db:
        await subscribe_phone(db, plant.people["worker"], push_sim, clock())
    alarm_id = await _raise(sessionmaker, plant, clock, tmp_path, kind="harness_not_high_hook")
    async with transaction(sessionmaker) as db:
        with pytest.raises(Forbidden):
            await actions.assign(
                db, await plant.principal(db, "guardian"), alarm_id, plant.people["worker"].id, clock()
            )
        officer = await plant.principal(db, "safety_officer")
        alarm = await actions.assign(db, officer, alarm_id, plant.people["worker"].id, clock())
        assert alarm.assigned_to == plant.people["worker"].id
        [queued] = list(await db.scalars(select(PushMessage)))
        assert queued.person_id == plant.people["worker"].id
        # The assignee may now answer it although a worker is no responder.
        await actions.acknowledge(db, await plant.principal(db, "worker"), alarm_id, clock())


async def test_kpi_counts_answers_within_90_seconds_per_tier(sessionmaker, plant, clock, tmp_path):
    start = clock()
    for wait, kind in ((30, "person_under_load"), (120, "person_under_load"), (60, "no_helmet")):
        alarm_id = await _raise(sessionmaker, plant, clock, tmp_path, kind)
        clock.advance(seconds=wait)
        async with transaction(sessionmaker) as db:
            await actions.acknowledge(db, await plant.principal(db, "guardian"), alarm_id, clock())
    await _raise(sessionmaker, plant, clock, tmp_path)  # still open
    async with transaction(sessionmaker) as db:
        kpi = await board.kpi(db, ROUTING, start, clock() + timedelta(seconds=1))
    tier1, tier2 = kpi.tiers
    assert (tier1.raised, tier1.acknowledged, tier1.within_target) == (3, 2, 1)
    assert (tier1.p50_seconds, tier1.max_seconds, tier1.target_seconds) == (30.0, 120.0, 90)
    assert (tier2.raised, tier2.acknowledged, tier2.within_target, tier2.p95_seconds) == (1, 1, 1, 60.0)
