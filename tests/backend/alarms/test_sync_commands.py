"""Offline answers through sync: `alarm.ack` (guarded) and `alarm.sos` (append) over POST /api/sync/push."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from backend.alarms.models import Alarm
from backend.db.engine import transaction
from backend.people.models import RoleAssignment
from backend.push.models import PushMessage
from tests.backend.alarms.plant import alarm_body, device_headers
from tests.backend.push.support import subscribe_phone
from tests.backend.sync.helpers import Phone, pull_all

RAISED = "2026-11-28T08:00:00+00:00"


async def _ingest(app_client, plant, clock, kind="person_under_load") -> str:
    body = alarm_body(kind)
    res = await app_client.post(
        "/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock())
    )
    assert res.status_code == 201, res.text
    return str(body["alarm_id"])


def _ack(phone: Phone, alarm_id: str) -> dict:
    return phone.op("alarm.ack", "alarm", alarm_id, {"acked_on_device_at": "2026-11-28T08:00:05+00:00"})


async def _push(client, phone: Phone, *ops) -> list[dict]:
    res = await client.post("/api/sync/push", json=phone.body(*ops))
    assert res.status_code == 200, res.text
    return res.json()["results"]


async def test_an_offline_ack_is_decided_when_it_arrives(app_client, client_as, plant, clock):
    alarm_id = await _ingest(app_client, plant, clock)
    guardian, phone = await client_as(plant.people["guardian"]), Phone(clock)
    op = _ack(phone, alarm_id)  # tapped 确认 in a tank, without signal
    clock.advance(seconds=30)  # the phone reaches the network 30 s after we received the alarm
    [result] = await _push(guardian, phone, op)
    assert result["status"] == "applied"
    alarm = (await guardian.get(f"/api/alarms/{alarm_id}")).json()
    assert alarm["state"] == "acknowledged" and alarm["acknowledged_by_name"] == "guardian"
    assert alarm["response_seconds"] == 30.0  # our receipt of the ack, not the phone's clock
    assert result["version"] == alarm["version"]
    [again] = await _push(guardian, phone, op)  # the answer was lost: the retry changes nothing
    assert again["status"] == "duplicate" and again["original"] == result
    # the app and the notification both acknowledged: the same person again is simply applied
    [second] = await _push(guardian, phone, _ack(phone, alarm_id))
    assert second["status"] == "applied"
    officer = await client_as(plant.people["safety_officer"])  # the site's alarms are in their scope
    pulled = await pull_all(officer)
    assert pulled["puts"][alarm_id]["data"]["state"] == "acknowledged"


async def test_an_ack_of_an_alarm_someone_else_answered_says_who(app_client, client_as, plant, clock):
    alarm_id = await _ingest(app_client, plant, clock)
    guardian, phone = await client_as(plant.people["guardian"]), Phone(clock)
    offline = _ack(phone, alarm_id)
    clock.advance(seconds=8)
    leader = await client_as(plant.people["team_leader"])
    assert (await leader.post(f"/api/alarms/{alarm_id}/ack", json={})).status_code == 200
    clock.advance(seconds=60)
    [result] = await _push(guardian, phone, offline)
    assert result["status"] == "rejected" and result["code"] == "alarm_already_acknowledged"
    assert "team_leader" in result["reason"]
    current = result["current"]
    assert current["entity"] == "alarm" and current["data"]["state"] == "acknowledged"
    assert current["data"]["acknowledged_by"] == str(plant.people["team_leader"].id)
    alarm = (await leader.get(f"/api/alarms/{alarm_id}")).json()
    assert alarm["response_seconds"] == 8.0 and alarm["acknowledged_by_name"] == "team_leader"


async def test_an_ack_of_a_resolved_alarm_is_rejected_with_its_state(app_client, client_as, plant, clock):
    alarm_id = await _ingest(app_client, plant, clock)
    guardian, phone = await client_as(plant.people["guardian"]), Phone(clock)
    offline = _ack(phone, alarm_id)
    officer = await client_as(plant.people["safety_officer"])
    res = await officer.post(f"/api/alarms/{alarm_id}/resolve", json={"resolution": "误报"})
    assert res.status_code == 200
    [result] = await _push(guardian, phone, offline)
    assert result["status"] == "rejected" and result["code"] == "alarm_resolved"
    assert (
        result["current"]["data"]["state"] == "resolved" and result["current"]["data"]["resolution"] == "误报"
    )


async def test_an_ack_is_checked_against_the_callers_rights_now(
    app_client, client_as, plant, clock, sessionmaker
):
    # tier 2 reaches guardian and team leader; the site's safety officer may answer by role only
    alarm_id = await _ingest(app_client, plant, clock, kind="harness_not_high_hook")
    officer, phone = await client_as(plant.people["safety_officer"]), Phone(clock)
    offline = _ack(phone, alarm_id)
    async with transaction(sessionmaker) as db:  # the role is revoked while the phone is offline
        grant = await db.scalar(
            select(RoleAssignment).where(RoleAssignment.person_id == plant.people["safety_officer"].id)
        )
        grant.deleted_at = clock()
    stranger, other = await client_as(plant.people["guardian_b"]), Phone(clock)
    results = await _push(officer, phone, offline)
    results += await _push(stranger, other, _ack(other, alarm_id), _ack(other, uuid.uuid4()))
    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "alarm_not_yours"),
        ("rejected", "alarm_not_yours"),
        ("rejected", "alarm_unknown"),
    ]
    async with sessionmaker() as db:
        assert (await db.get(Alarm, uuid.UUID(alarm_id))).state == "raised"


async def test_an_sos_made_offline_is_raised_routed_and_pushed_once(
    client_as, plant, clock, sessionmaker, push_sim
):
    async with transaction(sessionmaker) as db:
        await subscribe_phone(db, plant.people["guardian"], push_sim, clock())
    worker, phone = await client_as(plant.people["worker"]), Phone(clock)
    alarm_id = str(uuid.uuid4())
    op = phone.op(
        "alarm.sos",
        "alarm",
        alarm_id,
        {
            "raised_at": "2026-11-28T08:00:00+00:00",
            "gps": {"lat": 31.2285, "lon": 121.4720},
            "accuracy_m": 12,
        },
    )
    clock.advance(seconds=20)
    [result] = await _push(worker, phone, op)
    assert result["status"] == "applied", result
    [retry] = await _push(worker, phone, op)
    [same_alarm] = await _push(worker, phone, phone.op("alarm.sos", "alarm", alarm_id, {"raised_at": RAISED}))
    assert retry["status"] == "duplicate" and same_alarm["status"] == "applied"
    async with sessionmaker() as db:
        alarm = await db.get(Alarm, uuid.UUID(alarm_id))
        keys = list(await db.scalars(select(PushMessage.dedupe_key)))
    assert (alarm.source, alarm.tier, alarm.raised_by) == ("sos", 1, plant.people["worker"].id)
    assert alarm.area_id == plant.area.id and alarm.detail == {"accuracy_m": 12}  # located by its GPS
    assert alarm.received_at == clock() and keys == [f"alarm:{alarm_id}"]
    # the person who pressed SOS follows it on their phone (their own record), a stranger's id is taken
    pulled = await pull_all(worker)
    assert pulled["puts"][alarm_id]["data"]["kind"] == "sos"
    other = await client_as(plant.people["guardian"])
    other_phone = Phone(clock)
    [taken] = await _push(
        other,
        other_phone,
        other_phone.op("alarm.sos", "alarm", alarm_id, {"raised_at": RAISED}),
    )
    assert taken["status"] == "rejected" and taken["code"] == "alarm_id_taken"


async def test_bad_alarm_ops_are_refused_one_by_one(client_as, plant, clock):
    worker, phone = await client_as(plant.people["worker"]), Phone(clock)
    results = await _push(
        worker,
        phone,
        phone.op("alarm.sos", "alarm", uuid.uuid4(), {"raised_at": "not a time"}),
        phone.op("alarm.ack", "alarm", uuid.uuid4(), {"acked_on_device_at": None, "extra": 1}),
        phone.op("alarm.ack", "person", uuid.uuid4(), {}),
    )
    assert [(r["status"], r["code"]) for r in results] == [
        ("rejected", "invalid_args"),
        ("rejected", "invalid_args"),
        ("rejected", "wrong_entity"),
    ]
