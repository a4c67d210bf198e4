"""The shared vectors whose commands the real server knows, through POST /api/sync/push."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from backend.db.engine import transaction
from backend.people.models import Person
from tests.factories import make_person
from tests.sync.vectors import load, mismatch, person_data

VECTORS = load("http")


async def _cast(sessionmaker, settings, org, vec):
    """The vector's people as real rows; returns vector id → real id and real id → Person."""
    units = {u.path: u for u in vars(org).values()}
    real: dict[str, Person] = {}
    async with transaction(sessionmaker) as db:
        for p in vec["people"]:
            roles = [(role, units[scope]) for role, scope in p["grants"]]
            person = await make_person(
                db, settings.secret_key, units[p["unit_path"]], p["name"], roles or None
            )
            person.phone = p["phone"]
            real[p["id"]] = person
    return real


def _translate(vec, real):
    text = json.dumps(vec)
    for vector_id, person in real.items():
        text = text.replace(vector_id, str(person.id))
    return json.loads(text)


@pytest.mark.parametrize("vec", [v for _, v in VECTORS], ids=[name for name, _ in VECTORS])
async def test_vector_over_http(vec, sessionmaker, settings, org, clock, client_as):
    real = await _cast(sessionmaker, settings, org, vec)
    vec = _translate(vec, real)
    by_id = {str(p.id): p for p in real.values()}
    clients = {}
    for number, step in enumerate(vec["steps"]):
        clock.now = datetime.fromtimestamp(step["at"] / 1000, UTC)
        spec = step["push"]
        if spec["person"] not in clients:
            clients[spec["person"]] = await client_as(by_id[spec["person"]])
        body = {"device_id": spec["device"], "ops": spec["ops"], "sent_at": spec["sent_at"]}
        res = await clients[spec["person"]].post("/api/sync/push", json=body)
        assert res.status_code == 200, res.text
        if "expect" in step:
            found = mismatch(step["expect"], res.json()["results"], f"{vec['name']} step {number}")
            assert found is None, found
    async with sessionmaker() as db:
        for expected in vec["final"]:
            person = await db.scalar(select(Person).where(Person.id == by_id[expected["id"]].id))
            actual = {"version": person.version, "data": {**person_data_of(person)}}
            found = mismatch({"version": expected["version"], "data": expected["data"]}, actual, vec["name"])
            assert found is None, found


def person_data_of(person: Person) -> dict:
    return person_data({"name": person.name, "phone": person.phone, "unit_path": person.unit_path}) | {
        "locale": person.locale
    }
