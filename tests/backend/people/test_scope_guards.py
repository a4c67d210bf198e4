"""Role + scope guards over the HTTP API: people see only what their roles cover."""

from __future__ import annotations

from backend.db.engine import transaction
from tests.factories import make_person


async def _people(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        return {
            "welder_a": await make_person(db, key, org.team_a, "赵铁柱"),
            "welder_b": await make_person(db, key, org.team_b, "钱小兵"),
            "inspector_a": await make_person(db, key, org.team_a, "孙巡检", [("inspector", org.site_a)]),
            "leader_a": await make_person(db, key, org.team_a, "周班长", [("team_leader", org.team_a)]),
            "admin": await make_person(db, key, org.team_a, "吴管理", [("admin", org.enterprise)]),
        }


async def test_a_worker_reads_only_their_own_record(client_as, sessionmaker, settings, org):
    p = await _people(sessionmaker, settings, org)
    client = await client_as(p["welder_a"])
    assert (await client.get(f"/api/people/{p['welder_a'].id}")).status_code == 200
    res = await client.get(f"/api/people/{p['welder_b'].id}")
    assert res.status_code == 403 and res.json()["code"] == "out_of_scope"
    # a teammate is no different: workers do not browse each other
    res = await client.get(f"/api/people/{p['leader_a'].id}")
    assert res.status_code == 403
    listing = (await client.get("/api/people/")).json()
    assert [item["id"] for item in listing["items"]] == [str(p["welder_a"].id)]


async def test_an_inspector_of_site_a_cannot_read_site_b(client_as, sessionmaker, settings, org):
    p = await _people(sessionmaker, settings, org)
    client = await client_as(p["inspector_a"])
    assert (await client.get(f"/api/people/{p['welder_a'].id}")).status_code == 200
    assert (await client.get(f"/api/people/{p['welder_b'].id}")).status_code == 403
    assert (await client.get(f"/api/org/units/{org.site_a.id}")).status_code == 200
    assert (await client.get(f"/api/org/units/{org.site_b.id}")).status_code == 403
    assert (await client.get(f"/api/org/units/{org.team_b.id}")).status_code == 403
    assert (await client.get(f"/api/org/sites/{org.site_b.id}/map")).status_code == 403
    names = {u["code"] for u in (await client.get("/api/org/units")).json()}
    assert "SB" not in names and "SA" in names
    listing = (await client.get("/api/people/", params={"limit": 500})).json()
    assert all(item["unit_path"].startswith(org.site_a.path) for item in listing["items"])
    assert listing["total"] == 4


async def test_responses_mask_the_id_number(client_as, sessionmaker, settings, org):
    p = await _people(sessionmaker, settings, org)
    client = await client_as(p["admin"])
    body = (await client.get(f"/api/people/{p['welder_b'].id}")).json()
    assert body["id_number_masked"][4:14] == "*" * 10
    assert "id_number" not in body and "id_number_enc" not in body


async def test_only_admin_or_hr_create_people_and_codes(client_as, sessionmaker, settings, org):
    p = await _people(sessionmaker, settings, org)
    body = {
        "name": "新员工",
        "id_number": "11010519491231002x",
        "unit_code": org.team_a.code,
        "roles": [{"role": "worker", "scope_code": org.team_a.code}],
    }
    leader = await client_as(p["leader_a"])
    assert (await leader.post("/api/people/", json=body)).status_code == 403
    assert (await leader.post(f"/api/people/{p['welder_a'].id}/enrollment")).status_code == 403
    admin = await client_as(p["admin"])
    created = await admin.post("/api/people/", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["worker"]
    code = await admin.post(f"/api/people/{created.json()['id']}/enrollment")
    assert code.status_code == 201 and code.json()["url"].startswith("http://localhost:8000/#/enroll/")
    again = await admin.post("/api/people/", json=body)
    assert again.status_code == 409 and again.json()["code"] == "id_number_taken"


async def test_unauthenticated_requests_get_401_problems(app_client, org):
    for path in ("/api/people/", f"/api/org/units/{org.site_a.id}", "/api/auth/me"):
        res = await app_client.get(path)
        assert res.status_code == 401
        assert res.headers["content-type"].startswith("application/problem+json")


async def test_the_people_list_filters_by_part_of_the_name_within_scope(
    client_as, sessionmaker, settings, org
):
    p = await _people(sessionmaker, settings, org)
    inspector = await client_as(p["inspector_a"])
    found = (await inspector.get("/api/people/", params={"q": "铁"})).json()
    assert [item["name"] for item in found["items"]] == ["赵铁柱"] and found["total"] == 1
    # 钱小兵 is on site B: out of the inspector's scope, so not found by name either
    assert (await inspector.get("/api/people/", params={"q": "钱小"})).json()["total"] == 0
    admin = await client_as(p["admin"])
    assert [i["name"] for i in (await admin.get("/api/people/", params={"q": "钱小"})).json()["items"]] == [
        "钱小兵"
    ]
    # LIKE wildcards are taken literally
    assert (await admin.get("/api/people/", params={"q": "%"})).json()["total"] == 0
    for bad in ("", "x" * 51):
        res = await admin.get("/api/people/", params={"q": bad})
        assert res.status_code == 400 and res.json()["code"] == "validation_failed", res.text
