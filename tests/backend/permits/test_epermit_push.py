"""The pre-start e-permit goes out as web push through the push-service simulator on a real socket."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from backend.db.engine import transaction
from backend.push.models import SENT, PushMessage
from backend.push.simulator import PushSimulator
from tests.backend.permits.conftest import Plant, centre, decide, hot_work_request
from tests.backend.push.support import Phone, make_worker, push_sim, subscribe_phone

__all__ = ["push_sim"]


async def _approved_in_two_hours(plant: Plant) -> dict[str, Any]:
    start = plant.clock() + timedelta(hours=2)
    body = hot_work_request(
        plant, planned_start=start.isoformat(), planned_end=(start + timedelta(hours=3)).isoformat()
    )
    permit = (await plant.tl.client.post("/api/permits/", json=body)).json()
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    assert (await decide(plant.so, permit["id"], "s1.safety_officer", location=where)).status_code == 200
    return dict(permit)


async def test_the_prestart_e_permit_is_a_web_push_that_opens_the_card(
    plant: Plant, push_sim: PushSimulator, tmp_path: Path
) -> None:
    async with transaction(plant.sessionmaker) as db:
        phones: dict[str, Phone] = {
            key: await subscribe_phone(db, getattr(plant, key).person, push_sim, plant.clock())
            for key in ("guardian", "w1", "w2", "inspector", "vp")
        }
    permit = await _approved_in_two_hours(plant)
    worker = make_worker(plant.sessionmaker, plant.clock, tmp_path)
    plant.clock.advance(minutes=89)
    await plant.scheduler_tick()
    assert await worker.deliver() == {}  # nothing before start − 30 min
    assert not push_sim.deliveries

    plant.clock.advance(minutes=1)
    await plant.scheduler_tick()
    assert await worker.deliver() == {SENT: 4}

    expected = {
        "v": 1,
        "type": "permit",
        "tag": f"permit:{permit['id']}",
        "url": f"/#/permits/{permit['id']}",
    }
    for key in ("guardian", "w1", "w2", "inspector"):
        [message] = phones[key].messages(push_sim)  # decrypted with the phone's own private key
        assert {k: message[k] for k in expected} == expected
        assert message["title"] == "动火作业（二级）· 循环水站"
        assert message["body"].startswith(permit["number"])
        assert "撤离：沿疏散路线至1号紧急集合点" in message["body"]
        assert "最近灭火器：MFZ/ABC8 #1" in message["body"]
        assert message["actions"] == [{"action": "view", "title": "查看"}]
    assert phones["vp"].messages(push_sim) == []  # the approver is not on the crew
    async with plant.sessionmaker() as db:
        rows = list(await db.scalars(select(PushMessage).where(PushMessage.kind == "permit")))
    assert {r.urgency for r in rows} == {"high"} and {r.ttl for r in rows} == {1800}
    assert {r.ref_id for r in rows} == {permit["id"]}
    # the in-app copy carries the whole card, as before
    notices = (await plant.guardian.client.get("/api/permits/notifications")).json()
    assert [n["kind"] for n in notices].count("epermit") == 1

    # a retried timer (or a second delivery attempt) never pushes the same e-permit twice
    plant.clock.advance(minutes=1)
    await plant.scheduler_tick()
    assert await worker.deliver() == {}
    assert len(phones["guardian"].messages(push_sim)) == 1
