"""A welder's certificate runs out overnight: the permit approved yesterday cannot start this morning.

No row is edited by hand: the certificate is recorded through the qualifications service with its
last valid day, and the permit asks that service again at 验票 (start), the next morning.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.db.engine import transaction
from backend.workers import service as workers
from tests.backend.permits.conftest import Actor, Plant, centre, decide, hot_work_request
from tests.factories import make_person


async def _sign_in(actor: Actor) -> None:
    """Sessions last 12 h: the next morning people sign in again with their passkey."""
    opts = (await actor.client.post("/api/auth/login/options")).json()
    res = await actor.client.post(
        "/api/auth/login/verify",
        json={"challenge_id": opts["challenge_id"], "credential": actor.auth.get(opts["options"])},
    )
    assert res.status_code == 200, res.text


async def _welder_whose_certificate_ends_today(plant: Plant) -> Any:
    async with transaction(plant.sessionmaker) as db:
        person = await make_person(
            db, plant.settings.secret_key, plant.org.team_a, "赵焊", [("worker", plant.org.team_a)]
        )
        ctx = workers.context(db, plant.settings, plant.clock())
        holder = ctx.ciphers.id_number.decrypt(person.id_number_enc)
        cert = workers.CertificateInput(
            item_key="mem:02-01",
            number="T" + holder,
            issued_on=ctx.today - timedelta(days=100),
            valid_until=ctx.today,  # the last day it is valid: today
        )
        await workers.add_certificate(ctx, person, cert)
        return person


async def test_a_certificate_that_ran_out_overnight_blocks_the_morning_start(plant: Plant) -> None:
    welder = await _welder_whose_certificate_ends_today(plant)
    start = plant.clock() + timedelta(hours=23)  # Tuesday 08:00 China time, a day shift
    body = hot_work_request(
        plant,
        planned_start=start.isoformat(),
        planned_end=(start + timedelta(hours=2)).isoformat(),
        operator_ids=[str(plant.w1.person.id), str(welder.id)],
    )
    created = await plant.tl.client.post("/api/permits/", json=body)
    assert created.status_code == 201, created.text  # today the certificate is valid
    permit = created.json()
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    approved = await decide(plant.so, permit["id"], "s1.safety_officer", location=where)
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text

    plant.clock.advance(hours=22, minutes=45)  # the night passes; Tuesday 07:45
    await plant.scheduler_tick()
    for actor in (plant.tl, plant.guardian):
        await _sign_in(actor)
    analysis = {
        "sampled_at": plant.clock().isoformat(),
        "point": "动火点10 m内",
        "gas": "methane",
        "result": 2.0,
        "unit": "lel",
    }
    res = await plant.guardian.client.post(f"/api/permits/{permit['id']}/gas-analyses", json=analysis)
    assert res.status_code == 201, res.text

    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})

    assert res.status_code == 409, res.text
    problem = res.json()
    assert problem["code"] == "worker_not_qualified" and "赵焊" in problem["detail"]
    assert [r["person_id"] for r in problem["refusals"]] == [str(welder.id)]
    assert problem["refusals"][0]["code"] in ("expired", "frozen")  # T-0: lapsed, frozen by the service
    after = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
    assert after["status"] == "approved" and after["started_at"] is None  # no work started
