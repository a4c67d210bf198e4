"""POST /api/sync/push and /pull through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from backend.auth.models import Device
from backend.db.engine import transaction
from backend.people import service as people
from backend.people.models import Person
from backend.sync.models import SyncOpResult
from tests.backend.sync.helpers import Phone, pull_all
from tests.factories import make_person


async def _people(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        return {
            "welder": await make_person(db, key, org.team_a, "赵铁柱"),
            "welder_b": await make_person(db, key, org.team_b, "钱小兵"),
            "inspector": await make_person(db, key, org.team_a, "孙巡检", [("inspector", org.site_a)]),
            "admin": await make_person(db, key, org.team_a, "吴管理", [("admin", org.enterprise)]),
        }


async def test_a_phone_pushes_a_contact_change_then_pulls_it(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    client, phone = await client_as(p["welder"]), Phone(clock)
    op = phone.contact(p["welder"].id, phone="13912345678")
    res = await client.post("/api/sync/push", json=phone.body(op, device_name="华为 Mate"))
    assert res.status_code == 200, res.text
    [result] = res.json()["results"]
    assert result["status"] == "applied" and result["version"] == 2
    pulled = await pull_all(client)
    me = pulled["puts"][str(p["welder"].id)]
    assert me["data"]["phone"] == "13912345678" and me["version"] == 2
    assert pulled["cursor"] >= result["server_seq"]
    async with sessionmaker() as db:
        device = await db.get(Device, phone.id)
        assert device.person_id == p["welder"].id and device.name == "华为 Mate"
        stored = await db.get(SyncOpResult, uuid.UUID(op["op_id"]))
        assert stored.result["status"] == "applied" and stored.hlc == op["hlc"]


async def test_another_persons_device_is_refused(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    phone = Phone(clock)
    mine = await client_as(p["welder"])
    assert (await mine.post("/api/sync/push", json=phone.body())).status_code == 200
    thief = await client_as(p["admin"])
    res = await thief.post("/api/sync/push", json=phone.body(phone.contact(p["admin"].id, locale="en")))
    assert res.status_code == 403 and res.json()["code"] == "device_not_yours"


async def test_a_retry_is_answered_from_storage_even_by_a_new_server(
    client_as, sessionmaker, settings, org, clock
):
    p = await _people(sessionmaker, settings, org)
    phone = Phone(clock)
    op = phone.contact(p["welder"].id, phone="13912345678")
    first = (await (await client_as(p["welder"])).post("/api/sync/push", json=phone.body(op))).json()
    # a different app instance (a restart, another worker process) sees the stored result
    again = (await (await client_as(p["welder"])).post("/api/sync/push", json=phone.body(op))).json()
    assert again["results"] == [
        {"status": "duplicate", "op_id": op["op_id"], "original": first["results"][0]}
    ]
    async with sessionmaker() as db:
        person = await db.get(Person, p["welder"].id)
        assert person.version == 2


async def test_one_bad_op_never_blocks_the_others(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    client, phone = await client_as(p["welder"]), Phone(clock)
    ops = [
        phone.contact(p["welder"].id, phone="not a phone"),
        {"op_id": "nonsense"},
        "not even an object",
        phone.op("future.not_a_command", "future_record", phone.id, {}),
        phone.contact(p["welder_b"].id, phone="13900000000"),
        phone.contact(p["welder"].id, locale="en"),
    ]
    res = await client.post("/api/sync/push", json=phone.body(*ops))
    statuses = [(r["status"], r.get("code")) for r in res.json()["results"]]
    assert statuses == [
        ("rejected", "phone_invalid"),
        ("rejected", "malformed_op"),
        ("rejected", "malformed_op"),
        ("deferred", "unknown_kind"),
        ("rejected", "role_required"),
        ("applied", None),
    ]
    async with sessionmaker() as db:
        stored = (await db.scalars(select(SyncOpResult.kind))).all()
    assert sorted(stored) == ["worker.update_contact"] * 3  # deferred and malformed: not stored


async def test_batch_limit(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    res = await (await client_as(p["welder"])).post("/api/sync/push", json=Phone(clock).body(*[1] * 501))
    assert res.status_code == 422 and res.json()["code"] == "batch_too_large"


async def test_rest_and_sync_share_the_contact_rule(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    welder, admin, phone = await client_as(p["welder"]), await client_as(p["admin"]), Phone(clock)
    offline_edit = phone.contact(p["welder"].id, phone="13911110000", base_version=1)  # offline, 08:00
    clock.advance(minutes=10)
    res = await admin.patch(f"/api/people/{p['welder'].id}/contact", json={"phone": "13922220000"})
    assert res.status_code == 200 and res.json()["phone"] == "13922220000"
    clock.advance(minutes=5)
    [result] = (await welder.post("/api/sync/push", json=phone.body(offline_edit))).json()["results"]
    assert result["status"] == "merged" and result["lost"] == ["phone"]
    bad = await welder.patch(f"/api/people/{p['admin'].id}/contact", json={"phone": "13900000000"})
    assert bad.status_code == 403 and bad.json()["code"] == "role_required"
    assert (await welder.patch(f"/api/people/{p['welder'].id}/contact", json={})).status_code == 422


async def test_pull_is_scoped_compacted_and_paged(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    for n in range(3):
        async with transaction(sessionmaker) as db:
            (await db.get(Person, p["welder"].id)).phone = f"1390000000{n}"
    welder = await pull_all(await client_as(p["welder"]))
    # own record (latest version only) and the units on the way to the team, nothing else
    assert welder["puts"][str(p["welder"].id)]["version"] == 4
    entities = {
        (c["entity"], c["data"].get("code") or c["data"].get("name")) for c in welder["puts"].values()
    }
    assert entities == {
        ("person", "赵铁柱"),
        ("role_assignment", None),
        ("org_unit", "ENT"),
        ("org_unit", "SA"),
        ("org_unit", "SA-W1"),
        ("org_unit", "SA-W1-T1"),
    }
    inspector = await pull_all(await client_as(p["inspector"]), limit=2)
    names = {c["data"]["name"] for c in inspector["puts"].values() if c["entity"] == "person"}
    assert names == {"赵铁柱", "孙巡检", "吴管理"}  # site A people; 钱小兵 works at site B
    assert not any(c["data"].get("code", "").startswith("SB") for c in inspector["puts"].values())


async def test_tombstones_and_a_reset_when_scopes_change(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    client = await client_as(p["inspector"])
    first = await pull_all(client)
    async with transaction(sessionmaker) as db:
        (await db.get(Person, p["welder"].id)).deleted_at = datetime(2026, 11, 28, tzinfo=UTC)
        (await db.get(Person, p["admin"].id)).unit_path = org.team_b.path  # moved to site B
    later = await pull_all(client, first["cursor"], first["scope"])
    assert sorted(later["dels"]) == sorted([str(p["welder"].id), str(p["admin"].id)])
    assert not later["reset"]
    async with transaction(sessionmaker) as db:
        await people.grant_role(db, await db.get(Person, p["inspector"].id), "inspector", org.site_b)
    client = await client_as(p["inspector"])  # a fresh session carries the new grant
    after = await pull_all(client, later["cursor"], later["scope"])
    assert after["reset"] and str(p["welder_b"].id) in after["puts"]
    assert str(p["welder"].id) not in after["puts"]


async def test_a_device_ahead_of_the_log_starts_again(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    res = await (await client_as(p["welder"])).post("/api/sync/pull", json={"cursor": 10**9})
    assert res.json()["reset"] and res.json()["changes"]
