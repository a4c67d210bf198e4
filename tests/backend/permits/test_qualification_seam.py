"""Permits ask the qualifications service: a welder whose certificate is revoked (frozen) cannot
start hot work, and the refusal says why; a restored certificate lets the crew start."""

from __future__ import annotations

from sqlalchemy import select

from backend.db.engine import transaction
from backend.workers.models import Certificate
from tests.backend.permits.conftest import Plant, centre, hot_work_request
from tests.backend.permits.test_permit_flows import _analysis, _approved_grade_2


async def test_a_welder_frozen_for_the_item_blocks_the_start_until_renewed(plant: Plant) -> None:
    permit = await _approved_grade_2(plant)
    async with plant.sessionmaker() as db:
        cert = await db.scalar(select(Certificate).where(Certificate.person_id == plant.w2.person.id))
        assert cert is not None
    res = await plant.so.client.post(f"/api/certificates/{cert.id}/revoke", json={"reason": "借用他人证书"})
    assert res.status_code == 200 and res.json()["status"] == "revoked"

    plant.clock.advance(minutes=20)
    assert (await _analysis(plant, permit["id"])).status_code == 201
    where = centre(plant.general)
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    assert res.status_code == 409 and res.json()["code"] == "worker_not_qualified"
    [refusal] = res.json()["refusals"]
    assert (refusal["name"], refusal["item"], refusal["code"]) == ("王焊", "mem:02-01", "frozen")
    assert "证书被撤销" in refusal["reason"] and "已被撤销" in refusal["reason"]

    day = plant.clock().date().isoformat()
    res = await plant.so.client.post(f"/api/certificates/{cert.id}/renewal", json={"issued_on": day})
    assert res.status_code == 200, res.text
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    assert res.status_code == 200, res.text


async def test_a_revoked_certificate_refuses_the_permit_at_submit(plant: Plant) -> None:
    async with transaction(plant.sessionmaker) as db:
        for cert in await db.scalars(select(Certificate).where(Certificate.person_id == plant.w1.person.id)):
            cert.revoked_at = plant.clock()  # revoked outside the API: no freeze, the lapse alone refuses
    res = await plant.tl.client.post("/api/permits/", json=hot_work_request(plant))
    assert res.status_code == 409 and res.json()["code"] == "worker_not_qualified"
    assert {r["code"] for r in res.json()["refusals"]} == {"revoked"}
