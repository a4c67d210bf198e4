"""Bad input gets RFC 9457 problem details with a 4xx and a stable code — never a 500."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from backend.db.engine import transaction
from backend.people.models import Person
from tests.factories import make_person

PROBLEM = "application/problem+json"


def _is_problem(res, status: int, code: str) -> None:
    assert res.status_code == status, res.text
    assert res.headers["content-type"].startswith(PROBLEM)
    body = res.json()
    assert body["status"] == status and body["code"] == code and body["title"] and body["type"]


async def test_malformed_json(app_client):
    res = await app_client.post(
        "/api/auth/enroll/options", content=b'{"code": ', headers={"content-type": "application/json"}
    )
    _is_problem(res, 400, "malformed_body")


async def test_unknown_field_is_rejected_by_name(app_client):
    res = await app_client.post("/api/auth/enroll/options", json={"code": "x", "sneaky": 1})
    _is_problem(res, 400, "validation_failed")
    assert "sneaky" in res.json()["errors"][0]["message"]


@pytest.mark.parametrize("body", [{}, {"code": 5}, [], "text", {"code": None}])
async def test_wrong_shapes(app_client, body):
    res = await app_client.post("/api/auth/enroll/options", json=body)
    _is_problem(res, 400, "validation_failed")


async def test_oversize_body(app_client, settings):
    res = await app_client.post(
        "/api/auth/enroll/options",
        content=b'{"code": "' + b"a" * (settings.max_body_bytes + 10) + b'"}',
        headers={"content-type": "application/json"},
    )
    _is_problem(res, 413, "payload_too_large")


async def test_unknown_route_and_bad_path_parameter(app_client):
    _is_problem(await app_client.get("/api/nothing-here"), 404, "not_found")
    _is_problem(await app_client.get("/api/people/not-a-uuid"), 404, "not_found")
    _is_problem(await app_client.delete("/api/auth/me"), 405, "method_not_allowed")


async def test_query_parameter_out_of_range(client_as, sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        admin = await make_person(db, settings.secret_key, org.team_a, "吴管理", [("admin", org.enterprise)])
    client = await client_as(admin)
    _is_problem(await client.get("/api/people/", params={"limit": 100000}), 400, "validation_failed")


async def test_a_failed_request_writes_nothing(client_as, sessionmaker, settings, org):
    """The person is valid, the second role's scope is not: the whole request rolls back."""
    async with transaction(sessionmaker) as db:
        admin = await make_person(db, settings.secret_key, org.team_a, "吴管理", [("admin", org.enterprise)])
    client = await client_as(admin)
    body = {
        "name": "半截人",
        "id_number": "11010519491231002X",
        "unit_code": org.team_a.code,
        "roles": [
            {"role": "worker", "scope_code": org.team_a.code},
            {"role": "guardian", "scope_code": "NOPE"},
        ],
    }
    _is_problem(await client.post("/api/people/", json=body), 404, "unit_unknown")
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(Person).where(Person.name == "半截人")) == 0


@pytest.mark.parametrize(
    "bad", ["123", "11010519491231002Y", "110105194902301234", "990105194912310021", "110105194912310028"]
)
async def test_invalid_id_numbers_are_explained(client_as, sessionmaker, settings, org, bad):
    async with transaction(sessionmaker) as db:
        admin = await make_person(db, settings.secret_key, org.team_a, "吴管理", [("admin", org.enterprise)])
    client = await client_as(admin)
    body = {"name": "某人", "id_number": bad, "unit_code": org.team_a.code}
    res = await client.post("/api/people/", json=body)
    assert res.status_code == 422 and res.json()["code"].startswith("id_number_")


NAIVE = "2026-12-01T08:00:00"  # UTC or the plant's UTC+8? Refused, never guessed.


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/permits/absences/", {"starts_at": NAIVE, "ends_at": "2026-12-02T08:00:00Z"}, "starts_at"),
        (
            "/api/deputies/",
            {"deputy_id": str(uuid.uuid4()), "role": "guardian", "active_until": NAIVE},
            "active_until",
        ),
        (
            "/api/alarms/sos",
            {"alarm_id": "01a2b3c4-0000-7000-8000-000000000000", "raised_at": NAIVE},
            "raised_at",
        ),
    ],
)
async def test_a_time_without_its_zone_is_refused_by_name(
    client_as, sessionmaker, settings, org, path, body, field
):
    async with transaction(sessionmaker) as db:
        who = await make_person(db, settings.secret_key, org.team_a, "孙班长", [("team_leader", org.team_a)])
    res = await (await client_as(who)).post(path, json=body)
    _is_problem(res, 400, "validation_failed")
    assert "timezone" in res.text and field in res.text
