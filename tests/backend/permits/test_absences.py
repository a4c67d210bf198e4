"""Away and back: a B角 named through the API takes the approver's step; ending the absence early.

The plant's safety officer (孙志强, workshop A) has a B角 from the demo-style loader; here they take
it back, name the site's safety officer instead through the API, and mark themself away.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.auth.service import open_session
from backend.db.engine import transaction
from backend.http.deps import SESSION_COOKIE
from tests.backend.conftest import sibling
from tests.backend.permits.conftest import Plant, hot_work_request
from tests.factories import make_person


async def _site_safety_officer(plant: Plant) -> tuple[Any, Any]:
    """A second safety officer, granted at the site (so holders() still assigns 孙志强 first)."""
    async with transaction(plant.sessionmaker) as db:
        person = await make_person(
            db, plant.settings.secret_key, plant.org.site_a, "冯厂安", [("safety_officer", plant.org.site_a)]
        )
        token = await open_session(db, person.id, None, plant.clock(), 8)
    client = sibling(plant.so.client)
    client.headers["cookie"] = f"{SESSION_COOKIE}={token}"
    return person, client


def _slot(permit: dict[str, Any], key: str = "s1.safety_officer") -> dict[str, Any]:
    return next(s for s in permit["slots"] if s["key"] == key)


async def _apply(plant: Plant) -> dict[str, Any]:
    res = await plant.tl.client.post("/api/permits/", json=hot_work_request(plant))
    assert res.status_code == 201, res.text
    return dict(res.json())


async def test_a_deputy_named_through_the_api_takes_the_step_until_the_approver_is_back(plant: Plant) -> None:
    so = plant.so.client
    deputy, deputy_client = await _site_safety_officer(plant)
    board = (await so.get("/api/deputies/")).json()
    assert [d["deputy"]["name"] for d in board["deputies"]] == ["钱安全"]
    assert (await so.delete(f"/api/deputies/{board['deputies'][0]['id']}")).status_code == 204

    named = await so.post(
        "/api/deputies/", json={"deputy_id": str(deputy.id), "role": "safety_officer", "scope_code": "SA-W1"}
    )
    assert named.status_code == 201, named.text

    # a permit waiting for him when he leaves goes to the B角 at once
    waiting = await _apply(plant)
    assert _slot(waiting)["handed_to"] is None
    now = plant.clock()
    away = {"starts_at": now.isoformat(), "ends_at": (now + timedelta(days=3)).isoformat(), "reason": "出差"}
    res = await so.post("/api/permits/absences/", json=away)
    assert res.status_code == 201 and res.json()["state"] == "current", res.text
    absence = res.json()
    view = (await plant.tl.client.get(f"/api/permits/{waiting['id']}")).json()
    assert _slot(view)["handed_to"]["name"] == "冯厂安"
    # and so does one that opens while he is away
    during = await _apply(plant)
    assert _slot(during)["handed_to"]["name"] == "冯厂安"
    notes = (await deputy_client.get("/api/permits/notifications")).json()
    assert {n["kind"] for n in notes} == {"handover"}

    listed = (await so.get("/api/permits/absences/")).json()
    assert [a["id"] for a in listed] == [absence["id"]]

    plant.clock.advance(hours=2)
    ended = await so.post(f"/api/permits/absences/{absence['id']}/end")
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    assert ended.json()["ends_at"].startswith(plant.clock().isoformat()[:16])
    assert (await so.get("/api/permits/absences/")).json() == []
    again = await so.post(f"/api/permits/absences/{absence['id']}/end")
    assert again.status_code == 409 and again.json()["code"] == "absence_over"

    # back: a new step stays with him; the ones already handed over stay with the B角
    after = await _apply(plant)
    assert _slot(after)["handed_to"] is None and _slot(after)["assignee"]["name"] == "孙志强"
    for permit in (waiting, during):
        view = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
        assert _slot(view)["handed_to"]["name"] == "冯厂安"

    async with transaction(plant.sessionmaker) as db:
        actions = (
            await db.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity_id == str(plant.so.person.id))
                .order_by(AuditEntry.leaf_index)
            )
        ).all()
    assert [a for a in actions if a.startswith(("deputy.", "absence."))] == [
        "deputy.remove",
        "deputy.add",
        "absence.add",
        "absence.end",
    ]


async def test_a_future_absence_is_cancelled_and_only_the_person_or_a_manager_may_touch_it(
    plant: Plant,
) -> None:
    now = plant.clock()
    trip = {
        "starts_at": (now + timedelta(days=2)).isoformat(),
        "ends_at": (now + timedelta(days=4)).isoformat(),
        "reason": "培训",
        "person_id": str(plant.so.person.id),
    }
    # the team leader may not mark the safety officer away; the workshop director may
    refused = await plant.tl.client.post("/api/permits/absences/", json=trip)
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    res = await plant.wd.client.post("/api/permits/absences/", json=trip)
    assert res.status_code == 201 and res.json()["state"] == "upcoming", res.text
    absence_id = res.json()["id"]

    assert (
        await plant.tl.client.get(f"/api/permits/absences/?person_id={plant.so.person.id}")
    ).status_code == 403
    assert (await plant.tl.client.post(f"/api/permits/absences/{absence_id}/end")).status_code == 403
    listed = (await plant.so.client.get("/api/permits/absences/")).json()
    assert [(a["id"], a["reason"]) for a in listed] == [(absence_id, "培训")]

    cancelled = await plant.so.client.post(f"/api/permits/absences/{absence_id}/end")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert (await plant.so.client.get("/api/permits/absences/")).json() == []
    gone = await plant.so.client.post(f"/api/permits/absences/{absence_id}/end")
    assert gone.status_code == 404 and gone.json()["code"] == "absence_unknown"
    unknown = await plant.so.client.post(f"/api/permits/absences/{uuid.uuid4()}/end")
    assert unknown.status_code == 404

    backwards = {**trip, "ends_at": trip["starts_at"]}
    res = await plant.wd.client.post("/api/permits/absences/", json=backwards)
    assert res.status_code == 422 and res.json()["code"] == "times_invalid"


async def test_an_absence_marked_ahead_hands_over_the_steps_waiting_when_it_begins(plant: Plant) -> None:
    """The timer `permits.absence_start`. The safety officer has opened both permits (so the
    unreachable-approver timer never hands them over); only the absence can."""
    so = plant.so.client
    waiting = [await _apply(plant), await _apply(plant)]
    for permit in waiting:
        assert (await so.get(f"/api/permits/{permit['id']}")).status_code == 200  # opened: read
    now = plant.clock()
    trip = {
        "starts_at": (now + timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
    }
    first = await so.post("/api/permits/absences/", json=trip | {"reason": "培训"})
    assert first.status_code == 201 and first.json()["state"] == "upcoming", first.text
    second = await so.post("/api/permits/absences/", json=trip | {"reason": "取消的出差"})
    assert (await so.post(f"/api/permits/absences/{second.json()['id']}/end")).json()["state"] == "cancelled"
    await plant.scheduler_tick()
    assert _slot((await so.get(f"/api/permits/{waiting[0]['id']}")).json())["handed_to"] is None  # not yet

    plant.clock.advance(hours=1, minutes=1)
    fired = await plant.scheduler_tick()
    assert [o.kind for o in fired].count("permits.absence_start") == 1  # the cancelled one's never fires
    for permit in waiting:
        view = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
        assert _slot(view)["handed_to"]["name"] == "钱安全"  # the B角 the plant's loader named
    notes = (await so.get("/api/permits/notifications")).json()
    assert any("培训" in n["body"] for n in notes if n["kind"] == "handover"), notes
