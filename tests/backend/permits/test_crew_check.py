"""The crew is checked in one batch: the same refusals as person by person, in the order asked,
with as many statements for three people as for one."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from backend.db.engine import transaction
from backend.people.models import Person
from backend.permits.qualifications import qualifications
from backend.workers.models import Certificate, Freeze
from tests.backend.permits.conftest import Plant
from tests.backend.statements import statements

WELDING = ["mem:02-01"]


async def test_a_crew_costs_the_statements_of_one_person(plant: Plant, engine: Any) -> None:
    crew = [(plant.w1.person.id, WELDING), (plant.w2.person.id, WELDING), (plant.guardian.person.id, [])]
    async with plant.sessionmaker() as db:
        with statements(engine) as one:
            assert await qualifications().check_many(db, crew[:1], plant.clock()) == []
        with statements(engine) as three:
            assert await qualifications().check_many(db, crew, plant.clock()) == []
    assert len(three) == len(one) <= 5  # people, freezes, certificates, off-job periods


async def test_the_batch_refuses_as_person_by_person_in_the_order_asked(plant: Plant) -> None:
    now = plant.clock()
    async with transaction(plant.sessionmaker) as db:
        w1 = await db.get(Person, plant.w1.person.id)
        assert w1 is not None
        w1.employment = "suspended"
        for cert in await db.scalars(select(Certificate).where(Certificate.person_id == plant.w2.person.id)):
            cert.revoked_at = now
        guardian = plant.guardian.person
        db.add(Freeze(person_id=guardian.id, scope_path=guardian.unit_path, reason="manual", frozen_at=now))
    nobody = uuid.uuid4()
    crew = [
        (plant.w1.person.id, WELDING),
        (nobody, WELDING),
        (plant.w2.person.id, WELDING),
        (plant.guardian.person.id, []),
    ]
    service = qualifications()
    async with plant.sessionmaker() as db:
        together = await service.check_many(db, crew, now)
        alone = [r for pid, items in crew for r in await service.check(db, pid, items, now)]
    assert together == alone
    assert [(r.person_id, r.code) for r in together] == [
        (plant.w1.person.id, "employment_suspended"),
        (nobody, "person_unknown"),
        (plant.w2.person.id, "revoked"),
        (plant.guardian.person.id, "frozen"),
    ]
    assert "人工冻结" in together[-1].reason
