"""B角 over the API: who may name whom, the rules of a designation, removal, the audit trail."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.db.engine import transaction
from backend.people.models import Deputy
from backend.people.service import set_employment
from tests.factories import make_person


async def _people(sessionmaker, settings, org):
    """Two team leaders of team A (one granted at the workshop), one of team B, and the back office."""
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        people = {
            "leader": await make_person(db, key, org.team_a, "周班长", [("team_leader", org.team_a)]),
            "second": await make_person(db, key, org.team_a, "吴副班长", [("team_leader", org.team_a)]),
            "ws_leader": await make_person(
                db, key, org.workshop_a, "郑值班长", [("team_leader", org.workshop_a)]
            ),
            "other_team": await make_person(db, key, org.team_b, "王班长", [("team_leader", org.team_b)]),
            "worker": await make_person(db, key, org.team_a, "赵铁柱"),
            "director": await make_person(
                db, key, org.workshop_a, "刘主任", [("workshop_director", org.workshop_a)]
            ),
            "hr_b": await make_person(db, key, org.site_b, "钱人事", [("hr", org.site_b)]),
            "left": await make_person(db, key, org.team_a, "孙离职", [("team_leader", org.team_a)]),
        }
        await set_employment(db, people["left"], "left", people["left"].created_at)
        return people


async def test_a_leader_names_a_colleague_sees_it_both_ways_and_removes_it(
    client_as, sessionmaker, settings, org, clock
):
    p = await _people(sessionmaker, settings, org)
    me = await client_as(p["leader"])
    board = (await me.get("/api/deputies/")).json()
    assert [(r["role"], r["scope_code"]) for r in board["roles"]] == [("team_leader", "SA-W1-T1")]
    assert board["deputies"] == [] and board["deputising_for"] == []

    offered = (await me.get("/api/deputies/candidates", params={"role": "team_leader"})).json()
    # the site's active people: holders of the role over team A first (the teammate, then the
    # workshop-wide one), then team A's own, then the rest of the site; not site B's, not who left
    assert [(c["name"], c["holds_role"]) for c in offered] == [
        ("吴副班长", True),
        ("郑值班长", True),
        ("赵铁柱", False),
        ("刘主任", False),
    ]

    res = await me.post("/api/deputies/", json={"deputy_id": str(p["second"].id), "role": "team_leader"})
    assert res.status_code == 201, res.text
    added = res.json()
    assert added["scope"]["scope_code"] == "SA-W1-T1" and added["in_force"] is True
    assert added["deputy"]["name"] == "吴副班长"

    theirs = (await (await client_as(p["second"])).get("/api/deputies/")).json()
    assert [d["principal"]["name"] for d in theirs["deputising_for"]] == ["周班长"]

    again = await me.post("/api/deputies/", json={"deputy_id": str(p["second"].id), "role": "team_leader"})
    assert again.status_code == 409 and again.json()["code"] == "deputy_exists"

    assert (await me.delete(f"/api/deputies/{added['id']}")).status_code == 204
    assert (await me.get("/api/deputies/")).json()["deputies"] == []
    gone = await me.delete(f"/api/deputies/{added['id']}")
    assert gone.status_code == 404 and gone.json()["code"] == "deputy_unknown"

    # named again after removal: the same row comes back (one row per principal, deputy, role, unit)
    res = await me.post("/api/deputies/", json={"deputy_id": str(p["second"].id), "role": "team_leader"})
    assert res.status_code == 201 and res.json()["id"] == added["id"]

    async with transaction(sessionmaker) as db:
        entries = (
            await db.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_id == str(p["leader"].id), AuditEntry.action.like("deputy.%"))
                .order_by(AuditEntry.leaf_index)
            )
        ).all()
    assert [e.action for e in entries] == ["deputy.add", "deputy.remove", "deputy.add"]
    assert all(e.actor_id == p["leader"].id and e.channel == "api" for e in entries)
    assert entries[0].details["deputy"] == "吴副班长" and entries[0].details["scope"] == "SA-W1-T1"


async def test_the_rules_of_a_designation(client_as, sessionmaker, settings, org, clock):
    p = await _people(sessionmaker, settings, org)
    me = await client_as(p["leader"])

    async def add(**body):
        body.setdefault("role", "team_leader")
        body = {k: str(v) if hasattr(v, "hex") else v for k, v in body.items()}
        return await me.post("/api/deputies/", json=body)

    cases = [
        (dict(deputy_id=p["leader"].id), 422, "deputy_self"),
        (dict(deputy_id=p["other_team"].id), 422, "deputy_out_of_site"),
        (dict(deputy_id=p["left"].id), 422, "deputy_inactive"),
        (dict(deputy_id=p["second"].id, role="safety_officer"), 422, "principal_lacks_role"),
        (dict(deputy_id=p["second"].id, role="worker"), 422, "role_not_deputisable"),
        (dict(deputy_id=p["second"].id, scope_code="SA-W1"), 422, "principal_lacks_role"),
        (dict(deputy_id=p["second"].id, scope_code="NOPE"), 404, "unit_unknown"),
        (dict(deputy_id=uuid.uuid4()), 404, "person_unknown"),
    ]
    for body, status, code in cases:
        res = await add(**body)
        assert (res.status_code, res.json().get("code")) == (status, code), (body, res.text)

    start = clock() + timedelta(days=1)
    backwards = await add(
        deputy_id=p["second"].id, active_from=start.isoformat(), active_until=clock().isoformat()
    )
    assert backwards.status_code == 422 and backwards.json()["code"] == "window_invalid"
    unknown_field = await me.post(
        "/api/deputies/", json={"deputy_id": str(p["second"].id), "role": "team_leader", "x": 1}
    )
    assert unknown_field.status_code == 400

    # a window that begins tomorrow: listed, not in force yet
    later = await add(deputy_id=p["ws_leader"].id, active_from=start.isoformat())
    assert later.status_code == 201 and later.json()["in_force"] is False


async def test_who_may_name_someone_elses_deputy(client_as, sessionmaker, settings, org):
    p = await _people(sessionmaker, settings, org)
    body = {"principal_id": str(p["leader"].id), "deputy_id": str(p["second"].id), "role": "team_leader"}
    for outsider in ("second", "worker", "hr_b"):
        client = await client_as(p[outsider])
        res = await client.post("/api/deputies/", json=body)
        assert res.status_code == 403 and res.json()["code"] == "role_required", outsider
        listing = await client.get("/api/deputies/", params={"person_id": str(p["leader"].id)})
        assert listing.status_code == 403
    director = await client_as(p["director"])
    res = await director.post("/api/deputies/", json=body)
    assert res.status_code == 201, res.text
    # the deputy cannot withdraw it themself; the principal can
    second = await client_as(p["second"])
    assert (await second.delete(f"/api/deputies/{res.json()['id']}")).status_code == 403
    async with transaction(sessionmaker) as db:
        row = await db.get(Deputy, uuid.UUID(res.json()["id"]))
        assert row is not None and row.deleted_at is None
        entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "deputy.add"))
        assert entry is not None and entry.actor_id == p["director"].id
    leader = await client_as(p["leader"])
    assert (await leader.delete(f"/api/deputies/{res.json()['id']}")).status_code == 204
