"""The manager's side lists: frozen people, contractors with head counts, the scan on demand."""

from __future__ import annotations

from backend.db.engine import transaction
from backend.people.models import Contractor
from tests.backend.workers.conftest import add_cert, drain
from tests.factories import make_person


async def test_frozen_list_contractors_and_scan(
    client_as, sessionmaker, settings, clock, org, make_scheduler
):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        admin = await make_person(db, key, org.enterprise, "吴管理", [("admin", org.enterprise)])
        firm = Contractor(
            name="南京宏达防腐保温工程有限公司",
            credit_code="91320111MA1XQ0KY22",
            enterprise_id=org.enterprise.id,
        )
        db.add(firm)
        await db.flush()
        crew = await make_person(db, key, org.team_a, "包工甲")
        crew.contractor_id = firm.id
        inspector_b = await make_person(db, key, org.team_b, "巡检乙", [("inspector", org.site_b)])
    await add_cert(sessionmaker, settings, clock, crew, "mem:03-01", valid_for_days=-3)
    await drain(make_scheduler())  # its T-0 was due: frozen

    client = await client_as(admin)
    [frozen] = (await client.get("/api/qualifications/frozen")).json()
    assert frozen["person"]["name"] == "包工甲" and frozen["person"]["contractor_name"] == firm.name
    assert [f["reason"] for f in frozen["freezes"]] == ["expired"]
    assert (await (await client_as(inspector_b)).get("/api/qualifications/frozen")).json() == []  # site B

    firms = (await client.get("/api/contractors/")).json()
    assert [(f["name"], f["workers"], f["active"], f["frozen"]) for f in firms] == [(firm.name, 1, 1, 1)]
    bad = await client.post("/api/contractors/", json={"name": "某公司", "credit_code": "91320111MA1XQ0KY23"})
    assert bad.status_code == 422 and bad.json()["code"] == "credit_code_invalid"
    made = await client.post(
        "/api/contractors/",
        json={"name": "南京众诚储罐清洗服务有限公司", "credit_code": "91320113MA1XQ0KW0N"},
    )
    assert made.status_code == 201 and made.json()["workers"] == 0
    again = await client.post("/api/contractors/", json={"name": "x", "credit_code": "91320113MA1XQ0KW0N"})
    assert again.status_code == 409

    scan = (await client.post("/api/qualifications/scan")).json()
    assert scan["by_status"] == {"expired": 1}
    assert (await (await client_as(crew)).post("/api/qualifications/scan")).status_code == 403
