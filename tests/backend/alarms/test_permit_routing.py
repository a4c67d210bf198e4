"""Routing by who is on the permit in force, and B角: an away recipient's deputy gets the alarm instead.

The plant's workshop has two teams. Without a permit an alarm in area SA-A1 reaches every guardian,
team leader and inspector around the area (both teams). With a permit in force there it reaches the
permit's guardian, its operators' team leader and the area inspector (the nearest), and the
other tier roles (the safety officer) as before. Delivered through the push simulator.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec
import pytest_asyncio
from sqlalchemy import select

from backend.alarms import board, service
from backend.alarms.models import AlarmRecipient
from backend.alarms.routing import load_routing
from backend.alarms.schemas import AlarmIngest
from backend.db.engine import transaction
from backend.org.service import create_unit
from backend.people.models import Person
from backend.people.service import add_deputy
from backend.permits.models import Absence, Permit
from tests.backend.push.support import make_worker, subscribe_phone
from tests.factories import make_person

ROUTING = load_routing()


@pytest_asyncio.fixture
async def crew(sessionmaker, plant, settings, clock, push_sim):
    """A second team in the plant's workshop, a workshop inspector, and a B角 for the second team leader."""
    org = plant.org
    async with transaction(sessionmaker) as db:
        team_2 = await create_unit(db, "team", "SA-W1-T2", "聚合二班", org.workshop_a)
        secret = settings.secret_key
        people = {
            "guardian_2": await make_person(db, secret, team_2, "监护人二", [("guardian", team_2)]),
            "leader_2": await make_person(db, secret, team_2, "班长二", [("team_leader", team_2)]),
            "operator_2": await make_person(db, secret, team_2, "作业人二"),
            "leader_2_b": await make_person(db, secret, team_2, "副班长二", [("worker", team_2)]),
            "inspector_w": await make_person(
                db, secret, org.workshop_a, "车间巡检", [("inspector", org.workshop_a)]
            ),
        }
        await add_deputy(db, people["leader_2"], people["leader_2_b"], "team_leader", team_2)
        everyone = plant.people | people
        phones = {name: await subscribe_phone(db, p, push_sim, clock()) for name, p in everyone.items()}
    return people, phones, push_sim


async def _permit(sessionmaker, plant, crew, clock, status: str = "active") -> uuid.UUID:
    people = crew[0]
    now = clock()
    async with transaction(sessionmaker) as db:
        permit = Permit(
            number=f"DH-{uuid.uuid4().hex[:8]}",
            work_type="hot_work",
            grade="special",
            status=status,
            site_id=plant.org.site_a.id,
            workshop_id=plant.org.workshop_a.id,
            area_id=plant.area.id,
            scope_path=plant.org.workshop_a.path,
            applicant_id=people["leader_2"].id,
            guardian_id=people["guardian_2"].id,
            operator_ids=[str(people["operator_2"].id)],
            content="聚合釜检修动火",
            planned_start=now - timedelta(hours=1),
            planned_end=now + timedelta(hours=3),
            valid_until=now + timedelta(hours=4),
        )
        db.add(permit)
    return permit.id


async def _raise(sessionmaker, plant, clock, tmp_path, kind: str = "person_under_load"):
    body = {
        "alarm_id": str(uuid.uuid4()),
        "kind": kind,
        "raised_at": "2026-11-28T08:00:00Z",
        "area_code": "SA-A1",
    }
    async with transaction(sessionmaker) as db:
        alarm, _, _ = await service.ingest(
            db, plant.edge, msgspec.convert(body, AlarmIngest), clock(), ROUTING, tmp_path
        )
        rows = list(await db.scalars(select(AlarmRecipient).where(AlarmRecipient.alarm_id == alarm.id)))
    return alarm, rows


def _named(plant, crew, ids) -> set[str]:
    by_id = {p.id: name for name, p in (plant.people | crew[0]).items()}
    return {by_id[i] for i in ids}


async def _phones_reached(sessionmaker, clock, tmp_path, crew, alarm_id) -> set[str]:
    worker = make_worker(sessionmaker, clock, tmp_path)
    try:
        await worker.deliver()
    finally:
        await worker.sender.aclose()
    _, phones, sim = crew
    return {
        name
        for name, phone in phones.items()
        if any(m["alarm_id"] == str(alarm_id) for m in phone.messages(sim))
    }


async def test_without_a_permit_the_role_holders_around_the_area(sessionmaker, plant, crew, clock, tmp_path):
    alarm, rows = await _raise(sessionmaker, plant, clock, tmp_path)
    expected = {
        "guardian",
        "guardian_2",
        "team_leader",
        "leader_2",
        "inspector",
        "inspector_w",
        "safety_officer",
    }
    assert _named(plant, crew, [r.person_id for r in rows]) == expected
    assert "permits" not in alarm.plan
    assert await _phones_reached(sessionmaker, clock, tmp_path, crew, alarm.id) == expected


async def test_with_a_permit_in_force_the_people_on_it(sessionmaker, plant, crew, clock, tmp_path):
    permit_id = await _permit(sessionmaker, plant, crew, clock)
    alarm, rows = await _raise(sessionmaker, plant, clock, tmp_path)
    roles = {r.person_id: r.role for r in rows}
    by_name = {name: roles[p.id] for name, p in (plant.people | crew[0]).items() if p.id in roles}
    # the permit's guardian, its operator's team leader, the nearest (workshop) inspector; the
    # safety officer by role as before; nobody from the other team, not the site-wide inspector
    assert by_name == {
        "guardian_2": "guardian",
        "leader_2": "team_leader",
        "inspector_w": "inspector",
        "safety_officer": "safety_officer",
    }
    assert alarm.plan["permits"] == [str(permit_id)]
    assert await _phones_reached(sessionmaker, clock, tmp_path, crew, alarm.id) == set(by_name)
    # tier 2 (guardian and team leader only) follows the same permit
    _, rows2 = await _raise(sessionmaker, plant, clock, tmp_path, "harness_not_high_hook")
    assert _named(plant, crew, [r.person_id for r in rows2]) == {"guardian_2", "leader_2"}


async def test_a_permit_not_in_force_does_not_route(sessionmaker, plant, crew, clock, tmp_path):
    await _permit(sessionmaker, plant, crew, clock, status="approved")  # not started: nobody at work yet
    _, rows = await _raise(sessionmaker, plant, clock, tmp_path, "harness_not_high_hook")
    assert _named(plant, crew, [r.person_id for r in rows]) == {
        "guardian",
        "guardian_2",
        "team_leader",
        "leader_2",
    }


async def test_an_away_recipient_is_replaced_by_their_deputy(sessionmaker, plant, crew, clock, tmp_path):
    people = crew[0]
    await _permit(sessionmaker, plant, crew, clock)
    now = clock()
    async with transaction(sessionmaker) as db:
        db.add(
            Absence(
                person_id=people["leader_2"].id,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(days=1),
                reason="出差",
                scope_path=people["leader_2"].unit_path,
            )
        )
    alarm, rows = await _raise(sessionmaker, plant, clock, tmp_path)
    by_name = {n: r for r in rows for n in _named(plant, crew, [r.person_id])}
    assert set(by_name) == {"guardian_2", "leader_2_b", "inspector_w", "safety_officer"}
    handed = by_name["leader_2_b"]
    assert handed.role == "team_leader" and handed.stands_in_for == people["leader_2"].id
    assert all(r.stands_in_for is None for n, r in by_name.items() if n != "leader_2_b")
    async with sessionmaker() as db:  # what the alarm's page shows
        [view] = await board.views(db, [alarm], with_recipients=True)
    [shown] = [r for r in view.recipients if r.stands_in_for is not None]
    assert (shown.name, shown.stands_in_for_name) == ("副班长二", "班长二")
    assert await _phones_reached(sessionmaker, clock, tmp_path, crew, alarm.id) == set(by_name)


async def test_an_away_recipient_without_a_deputy_still_gets_it(sessionmaker, plant, crew, clock, tmp_path):
    people = crew[0]
    now = clock()
    async with transaction(sessionmaker) as db:
        db.add(
            Absence(
                person_id=people["guardian_2"].id,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=2),
                reason="休假",
                scope_path=people["guardian_2"].unit_path,
            )
        )
    await _permit(sessionmaker, plant, crew, clock)
    _, rows = await _raise(sessionmaker, plant, clock, tmp_path, "harness_not_high_hook")
    assert _named(plant, crew, [r.person_id for r in rows]) == {"guardian_2", "leader_2"}


async def test_a_permit_guardian_who_has_left_falls_back_to_the_guardians_around(
    sessionmaker, plant, crew, clock, tmp_path
):
    people = crew[0]
    await _permit(sessionmaker, plant, crew, clock)
    async with transaction(sessionmaker) as db:
        left = await db.get(Person, people["guardian_2"].id)
        assert left is not None
        left.employment = "left"
    alarm, rows = await _raise(sessionmaker, plant, clock, tmp_path, "harness_not_high_hook")
    # the permit still names the team leader; the guardian role is reached through its holders
    assert _named(plant, crew, [r.person_id for r in rows]) == {"guardian", "leader_2"}
    assert await _phones_reached(sessionmaker, clock, tmp_path, crew, alarm.id) == {"guardian", "leader_2"}
