"""Certificates over the HTTP API: number rules per family, masking, who may see the full ID
number, the worker's countdown, the manager's ledger, shadow operators, photos."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.db.engine import transaction
from backend.jobs.models import Timer
from backend.people.models import Person
from backend.workers import records_part, service
from backend.workers.models import Certificate
from backend.workers.scan_part import refresh_statuses
from backend.workers.schemas import AssignmentIn
from tests.backend.workers.conftest import add_cert, drain, today
from tests.factories import make_person


async def _team(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        return {
            "welder": await make_person(db, key, org.team_a, "赵铁柱"),
            "other": await make_person(db, key, org.team_b, "钱小兵"),
            "hr": await make_person(db, key, org.enterprise, "林人事", [("hr", org.enterprise)]),
            "inspector": await make_person(db, key, org.team_a, "孙巡检", [("inspector", org.site_a)]),
            "leader": await make_person(db, key, org.team_a, "周班长", [("team_leader", org.team_a)]),
        }


def holder(settings, person) -> str:
    return service.ciphers_for(settings.secret_key).id_number.decrypt(person.id_number_enc)


async def test_numbers_are_checked_per_family(client_as, sessionmaker, settings, org, clock):
    p = await _team(sessionmaker, settings, org)
    hr = await client_as(p["hr"])
    day = today(settings, clock)
    base = {"person_id": str(p["welder"].id), "issued_on": (day - timedelta(days=100)).isoformat()}

    borrowed = await hr.post(
        "/api/certificates/",
        json={**base, "item_key": "mem:02-01", "number": "T" + holder(settings, p["other"])},
    )
    assert borrowed.status_code == 422 and borrowed.json()["code"] == "mem_number_mismatch"
    own = await hr.post(
        "/api/certificates/",
        json={**base, "item_key": "mem:02-01", "number": holder(settings, p["welder"]).lower()},
    )
    assert own.status_code == 201, own.text
    body = own.json()
    assert (
        body["number"]
        == "T" + holder(settings, p["welder"])[:4] + "*" * 10 + holder(settings, p["welder"])[-4:]
    )
    assert body["valid_until"] == (day - timedelta(days=100)).replace(year=day.year + 6).isoformat()
    assert body["family"] == "mem" and body["deadline_kind"] == "renewal"
    again = await hr.post(
        "/api/certificates/",
        json={**base, "item_key": "mem:02-01", "number": "T" + holder(settings, p["welder"])},
    )
    assert again.status_code == 409 and again.json()["code"] == "certificate_exists"

    wrong_type = await hr.post(
        "/api/certificates/", json={**base, "item_key": "mohurd:01", "number": "苏A052020000123"}
    )
    assert wrong_type.status_code == 422 and wrong_type.json()["code"] == "mohurd_type_mismatch"
    ok = await hr.post(
        "/api/certificates/", json={**base, "item_key": "mohurd:01", "number": "苏A012020000123"}
    )
    assert ok.status_code == 201 and ok.json()["number"] == "苏A012020000123"
    assert ok.json()["valid_until"] == (day - timedelta(days=100)).replace(year=day.year + 2).isoformat()
    future = await hr.post(
        "/api/certificates/",
        json={
            **base,
            "item_key": "samr:N1",
            "number": "TS123456",
            "issued_on": (day + timedelta(days=3)).isoformat(),
        },
    )
    assert future.status_code == 422 and future.json()["code"] == "dates_out_of_order"
    unknown = await hr.post("/api/certificates/", json={**base, "item_key": "mem:99-99", "number": "X"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "item_unknown"
    leader = await client_as(p["leader"])
    denied = await leader.post(
        "/api/certificates/", json={**base, "item_key": "samr:N1", "number": "TS123456"}
    )
    assert denied.status_code == 403


async def test_full_id_numbers_only_for_the_person_hr_and_admin(
    client_as, sessionmaker, settings, org, clock
):
    p = await _team(sessionmaker, settings, org)
    await add_cert(sessionmaker, settings, clock, p["welder"])
    url = f"/api/workers/{p['welder'].id}/id-number"
    assert (await (await client_as(p["welder"])).get(url)).json()["id_number"] == holder(
        settings, p["welder"]
    )
    assert (await (await client_as(p["hr"])).get(url)).json()["id_number"] == holder(settings, p["welder"])
    inspector = await client_as(p["inspector"])
    assert (await inspector.get(url)).status_code == 403
    file = (await inspector.get(f"/api/workers/{p['welder'].id}")).text
    assert holder(settings, p["welder"]) not in file and holder(settings, p["welder"])[6:14] not in file
    assert (await inspector.get(f"/api/workers/{p['other'].id}")).status_code == 403  # site B


async def test_the_worker_sees_the_countdown_with_what_to_do(client_as, sessionmaker, settings, org, clock):
    p = await _team(sessionmaker, settings, org)
    await add_cert(sessionmaker, settings, clock, p["welder"], "samr:N1", valid_for_days=45, years=4)
    [cert] = (await (await client_as(p["welder"])).get("/api/workers/me")).json()["certificates"]
    assert cert["days_left"] == 45 and cert["status"] == "review_due" and cert["deadline_kind"] == "review"
    assert cert["apply_by"] == (today(settings, clock) + timedelta(days=15)).isoformat()  # 1 month before
    assert "1个月前" in cert["how_to_apply"] and cert["how_to_apply_en"]
    assert cert["where_to_apply"] == "南京市应急管理局" and cert["item_name"] == "叉车司机"


async def test_off_the_job_six_months_needs_a_new_practical_exam(
    client_as, sessionmaker, settings, org, clock
):
    p = await _team(sessionmaker, settings, org)
    await add_cert(sessionmaker, settings, clock, p["welder"])
    hr = await client_as(p["hr"])
    day = today(settings, clock)
    url = f"/api/workers/{p['welder'].id}"
    res = await hr.post(
        f"{url}/off-job",
        json={
            "started_on": (day - timedelta(days=200)).isoformat(),
            "ended_on": (day - timedelta(days=5)).isoformat(),
            "reason": "工伤休养",
        },
    )
    assert res.status_code == 201, res.text
    check = (await hr.get(f"{url}/qualification", params={"item": "mem:02-01"})).json()
    assert check["allowed"] is False and [r["code"] for r in check["reasons"]] == ["off_job"]
    await hr.post(
        f"{url}/assessments",
        json={"item_key": "mem:02-01", "assessed_on": day.isoformat(), "passed": False, "assessor": "王考评"},
    )
    assert (await hr.get(f"{url}/qualification", params={"item": "mem:02-01"})).json()["allowed"] is False
    await hr.post(
        f"{url}/assessments",
        json={"item_key": "mem:02-01", "assessed_on": day.isoformat(), "passed": True, "assessor": "王考评"},
    )
    assert (await hr.get(f"{url}/qualification", params={"item": "mem:02-01"})).json()["allowed"] is True
    check = (await hr.get(f"{url}/qualification", params={"item": "mem:01-02"})).json()
    assert [r["code"] for r in check["reasons"]] == ["no_certificate"]
    check = (await hr.get(f"{url}/qualification", params={"item": "飞行"})).json()
    assert [r["code"] for r in check["reasons"]] == ["item_unknown"]
    file = (await hr.get(url)).json()
    assert sorted(a["summary"] for a in file["assessments"]) == [
        "不合格（考评员 王考评）",
        "合格（考评员 王考评）",
    ]
    leader = await client_as(p["leader"])
    violation = await leader.post(
        f"{url}/violations",
        json={"occurred_on": day.isoformat(), "severity": "minor", "description": "未系安全带"},
    )
    assert violation.status_code == 201
    training = await hr.post(
        f"{url}/training",
        json={"kind": "review", "completed_on": day.isoformat(), "hours": 8, "provider": "南京安全培训中心"},
    )
    assert training.status_code == 201


async def test_renewal_before_t0_cancels_the_old_warnings(
    client_as, sessionmaker, settings, org, clock, make_scheduler, sim
):
    p = await _team(sessionmaker, settings, org)
    cert = await add_cert(sessionmaker, settings, clock, p["welder"], valid_for_days=1)
    await drain(make_scheduler())  # T-30 (due, supersedes T-90) → HR task
    assert [r.body["event"] for r in sim.state.of("hr")] == ["retraining.requested"]
    hr = await client_as(p["hr"])
    day = today(settings, clock)
    res = await hr.post(f"/api/certificates/{cert.id}/renewal", json={"issued_on": day.isoformat()})
    assert res.status_code == 200 and res.json()["valid_until"] == day.replace(year=day.year + 6).isoformat()
    clock.advance(days=5)
    await drain(make_scheduler())
    assert sim.state.of("gate") == []  # the old T-0 never fired
    async with sessionmaker() as db:
        timers = {
            t.dedupe_key.split(":")[2]: t.status
            for t in await db.scalars(select(Timer).where(Timer.dedupe_key.startswith(f"cert:{cert.id}:")))
        }
    assert timers == {"T-30": "done", "T-0": "cancelled"}


async def test_ledger_filters_and_shadow_operators(client_as, sessionmaker, settings, org, clock):
    p = await _team(sessionmaker, settings, org)
    async with transaction(sessionmaker) as db:
        ctx = service.context(db, settings, clock())
        for person in (p["welder"], p["other"]):
            await records_part.assign(ctx, person, AssignmentIn(item_key="mem:02-01"))
        await records_part.assign(ctx, p["welder"], AssignmentIn(item_key="samr:N1"))
    await add_cert(sessionmaker, settings, clock, p["welder"], valid_for_days=20)
    await add_cert(sessionmaker, settings, clock, p["other"], valid_for_days=-120)
    await add_cert(
        sessionmaker,
        settings,
        clock,
        p["leader"],
        "mohurd:02",
        valid_for_days=300,
        years=2,
        number="苏A022025000001",
    )
    async with transaction(sessionmaker) as db:
        await refresh_statuses(db, today(settings, clock), service.catalog_for(settings))
    hr = await client_as(p["hr"])
    page = (await hr.get("/api/qualifications/ledger")).json()
    assert page["total"] == 3 and page["by_status"] == {"review_due": 1, "shadow": 1, "valid": 1}
    assert [r["person"]["name"] for r in page["items"]] == ["钱小兵", "赵铁柱", "周班长"]  # soonest first
    assert page["items"][1]["person"]["workshop_name"] == "聚合车间"
    soon = (await hr.get("/api/qualifications/ledger", params={"expiring_within": 30})).json()
    assert [r["person"]["name"] for r in soon["items"]] == ["赵铁柱"]
    fam = (await hr.get("/api/qualifications/ledger", params={"family": "mohurd"})).json()
    assert [r["certificate"]["item_key"] for r in fam["items"]] == ["mohurd:02"]
    ws = (
        await hr.get(
            "/api/qualifications/ledger",
            params={"unit_path": org.workshop_b.path, "status": ["shadow", "expired"]},
        )
    ).json()
    assert [r["person"]["name"] for r in ws["items"]] == ["钱小兵"]
    shadows = (await hr.get("/api/qualifications/shadow")).json()
    assert sorted((s["person"]["name"], s["item_key"], s["reason"]) for s in shadows) == [
        ("赵铁柱", "samr:N1", "no_certificate"),
        ("钱小兵", "mem:02-01", "shadow"),
    ]
    inspector = (await (await client_as(p["inspector"])).get("/api/qualifications/ledger")).json()
    assert {r["person"]["name"] for r in inspector["items"]} == {"赵铁柱", "周班长"}  # site A only
    worker = (await (await client_as(p["welder"])).get("/api/qualifications/ledger")).json()
    assert worker["total"] == 0


async def test_certificate_photos_are_type_checked_and_scoped(client_as, sessionmaker, settings, org, clock):
    p = await _team(sessionmaker, settings, org)
    cert = await add_cert(sessionmaker, settings, clock, p["welder"])
    me = await client_as(p["welder"])
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    res = await me.post(
        f"/api/certificates/{cert.id}/photos", content=png, headers={"content-type": "image/png"}
    )
    assert res.status_code == 201, res.text
    [url] = res.json()["photos"]
    assert (await me.get(url)).content == png
    assert (await (await client_as(p["inspector"])).get(url)).status_code == 200
    assert (await (await client_as(p["other"])).get(url)).status_code == 403
    fake = await me.post(f"/api/certificates/{cert.id}/photos", content=b"MZ\x90\x00not an image")
    assert fake.status_code == 422 and fake.json()["code"] == "photo_type"
    huge = await me.post(f"/api/certificates/{cert.id}/photos", content=png + b"\x00" * (6 * 1024 * 1024))
    assert huge.status_code == 413


async def test_status_sql_agrees_with_the_python_rules(sessionmaker, settings, org, clock):
    async with transaction(sessionmaker) as db:
        people = [await make_person(db, settings.secret_key, org.team_a, f"测试{i}") for i in range(6)]
    certs = []
    for person, days in zip(people, (-200, -95, -10, 0, 40, 500), strict=True):
        certs.append(
            await add_cert(sessionmaker, settings, clock, person, "samr:N1", valid_for_days=days, years=4)
        )
    async with transaction(sessionmaker) as db:
        people[0].employment = "left"
        await db.merge(people[0])
    catalog = service.catalog_for(settings)
    for offset in (0, 1, 31, 90, 200):
        day = today(settings, clock) + timedelta(days=offset)
        async with transaction(sessionmaker) as db:
            await refresh_statuses(db, day, catalog)
        async with sessionmaker() as db:
            for c in certs:
                row = await db.get(Certificate, c.id)
                person = await db.get(Person, c.person_id)
                assert row.status == service.status_on(
                    row, day, person.employment == "active", catalog.policy
                )
