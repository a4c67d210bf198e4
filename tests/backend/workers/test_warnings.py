"""T-90 → workshop reminder, T-30 → HR retraining task, T-0 → freeze through the gate adapter;
each exactly once across scheduler restarts; a renewal unfreezes. Observed over HTTP and in what
the HR and gate simulators received over their sockets."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

from sqlalchemy import select

from backend.db.engine import transaction
from backend.jobs.models import Timer
from backend.workers import scan_part, service
from backend.workers.models import Certificate
from tests.backend.workers.conftest import SECRET, add_cert, drain, today
from tests.factories import make_person

CST = timezone(timedelta(hours=8))


async def restart(make_scheduler, sessionmaker, clock):
    """What a scheduler does when it starts: seed today's scan, then fire all that is due."""
    scheduler = make_scheduler()
    async with transaction(sessionmaker) as db:
        await scan_part.seed(db, clock())
    return await drain(scheduler)


def at_local(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=CST).astimezone(UTC)


async def notifications(client):
    return (await client.get("/api/permits/notifications")).json()


async def cert_timers(sessionmaker, cert_id):
    async with sessionmaker() as db:
        rows = await db.scalars(select(Timer).where(Timer.dedupe_key.startswith(f"cert:{cert_id}:")))
        return {t.dedupe_key: t.status for t in rows}


async def test_three_levels_fire_once_each_and_renewal_unfreezes(
    sessionmaker, settings, clock, org, client_as, make_scheduler, sim
):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        welder = await make_person(db, key, org.team_a, "赵铁柱")
        director = await make_person(
            db, key, org.workshop_a, "刘主任", [("workshop_director", org.workshop_a)]
        )
        hr = await make_person(db, key, org.enterprise, "林人事", [("hr", org.enterprise)])
        other_ws = await make_person(
            db, key, org.workshop_b, "钱主任", [("workshop_director", org.workshop_b)]
        )
    cert = await add_cert(sessionmaker, settings, clock, welder, valid_for_days=100)
    deadline = cert.deadline_on
    assert deadline == today(settings, clock) + timedelta(days=100) and cert.deadline_kind == "renewal"
    await restart(make_scheduler, sessionmaker, clock)

    # Just before T-90 (08:00 local, 90 days before the last valid day): armed, not fired.
    clock.now = at_local(deadline - timedelta(days=90), 7, 59)
    await restart(make_scheduler, sessionmaker, clock)
    assert await notifications(await client_as(director)) == []
    clock.now = at_local(deadline - timedelta(days=90), 8, 1)
    await restart(make_scheduler, sessionmaker, clock)
    as_welder, as_director = await client_as(welder), await client_as(director)
    [remind] = await notifications(as_director)
    assert remind["kind"] == "certificate.remind" and "赵铁柱" in remind["title"]
    assert "剩余 90 天" in remind["body"] and remind["data"]["item_key"] == "mem:02-01"
    assert len(await notifications(as_welder)) == 1
    assert await notifications(await client_as(other_ws)) == []  # another workshop's director
    assert sim.state.received == []

    # A restart and a second scan the same day change nothing.
    await restart(make_scheduler, sessionmaker, clock)
    async with transaction(sessionmaker) as db:
        await service.daily_scan(db, service.catalog_for(settings), clock())
    await drain(make_scheduler())
    assert len(await notifications(as_director)) == 1

    # T-30: one retraining task reaches the HR system, signed, without the full ID number.
    clock.now = at_local(deadline - timedelta(days=30), 9)
    await restart(make_scheduler, sessionmaker, clock)
    [task] = sim.state.of("hr")
    assert task.body["event"] == "retraining.requested" and task.signature_ok is True
    assert (
        task.body["data"]["item_key"] == "mem:02-01"
        and task.body["data"]["deadline_on"] == deadline.isoformat()
    )
    assert task.body["data"]["person"]["name"] == "赵铁柱"
    assert task.body["data"]["person"]["id_number_masked"].count("*") == 10
    holder = service.ciphers_for(settings.secret_key).id_number.decrypt(welder.id_number_enc)
    assert holder not in str(task.body)
    assert sim.state.of("gate") == []

    # The last valid day still allows work; T-0 (when it ends) freezes and revokes gate access.
    clock.now = at_local(deadline, 23, 59)
    await restart(make_scheduler, sessionmaker, clock)
    as_hr = await client_as(hr)
    check = await as_hr.get(f"/api/workers/{welder.id}/qualification", params={"item": "mem:02-01"})
    assert check.json()["allowed"] is True
    clock.now = at_local(deadline + timedelta(days=1), 0, 1)
    await restart(make_scheduler, sessionmaker, clock)
    [revoke] = sim.state.of("gate")
    assert revoke.path == "/gate/access/revoke" and revoke.body["person"]["person_id"] == str(welder.id)
    assert revoke.body["reason"] == "expired" and sim.state.gate[str(welder.id)] is False
    check = (await as_hr.get(f"/api/workers/{welder.id}/qualification", params={"item": "mem:02-01"})).json()
    assert check["allowed"] is False
    assert [r["code"] for r in check["reasons"]] == ["frozen", "expired"]
    assert "已冻结" in check["reasons"][0]["detail"] and deadline.isoformat() in check["reasons"][1]["detail"]
    mine = (await (await client_as(welder)).get("/api/workers/me")).json()
    assert mine["frozen"] is True and mine["certificates"][0]["frozen"] is True
    assert mine["certificates"][0]["days_left"] == -1

    # Days later, more restarts and scans: nothing fires twice.
    for days in (1, 3, 10):
        clock.now = at_local(deadline + timedelta(days=days), 2)
        await restart(make_scheduler, sessionmaker, clock)
    assert (len(sim.state.of("hr")), len(sim.state.of("gate"))) == (1, 1)
    timers = await cert_timers(sessionmaker, cert.id)
    assert sorted(timers) == sorted(f"cert:{cert.id}:{lv}:{deadline}" for lv in ("T-90", "T-30", "T-0"))
    assert set(timers.values()) == {"done"}

    # Renewal (换证) by HR: the freeze lifts, the gate is told, new timers for the new deadline.
    as_hr, as_welder = await client_as(hr), await client_as(welder)
    new_day = today(settings, clock)
    res = await as_hr.post(
        f"/api/certificates/{cert.id}/renewal",
        json={
            "issued_on": new_day.isoformat(),
            "valid_until": new_day.replace(year=new_day.year + 6).isoformat(),
        },
    )
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "valid" and res.json()["frozen"] is False
    await drain(make_scheduler())
    restore = sim.state.of("gate")[-1]
    assert restore.path == "/gate/access/restore" and sim.state.gate[str(welder.id)] is True
    check = (await as_hr.get(f"/api/workers/{welder.id}/qualification", params={"item": "mem:02-01"})).json()
    assert check["allowed"] is True and check["reasons"] == []
    assert (await as_welder.get("/api/workers/me")).json()["frozen"] is False


async def test_a_passed_review_unfreezes_and_leaving_freezes_everything(
    sessionmaker, settings, clock, org, client_as, make_scheduler, sim
):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        driver = await make_person(db, key, org.team_b, "孙叉车")
        hr = await make_person(db, key, org.enterprise, "林人事", [("hr", org.enterprise)])
    # A 特种设备 certificate that lapsed yesterday: its T-0 is due at once.
    cert = await add_cert(sessionmaker, settings, clock, driver, "samr:N1", valid_for_days=-1, years=4)
    await drain(make_scheduler())
    assert [r.path for r in sim.state.of("gate")] == ["/gate/access/revoke"]
    as_hr = await client_as(hr)
    res = await as_hr.post(
        f"/api/certificates/{cert.id}/reviews",
        json={
            "reviewed_on": today(settings, clock).isoformat(),
            "passed": True,
            "authority": "南京市市场监督管理局",
        },
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["valid_until"] == (cert.valid_until.replace(year=cert.valid_until.year + 4)).isoformat()
    assert body["status"] == "valid" and body["frozen"] is False
    await drain(make_scheduler())
    assert [r.path for r in sim.state.of("gate")] == ["/gate/access/revoke", "/gate/access/restore"]

    # Leaving the company: frozen at once for every item, the gate told, pending warnings cancelled.
    res = await as_hr.post(f"/api/workers/{driver.id}/employment", json={"status": "left"})
    assert res.json() == {"person_id": str(driver.id), "employment": "left", "changed": True, "frozen": True}
    await drain(make_scheduler())
    assert sim.state.of("gate")[-1].path == "/gate/access/revoke"
    assert sim.state.of("gate")[-1].body["reason"] == "left"
    check = (await as_hr.get(f"/api/workers/{driver.id}/qualification", params={"item": "samr:N1"})).json()
    assert [r["code"] for r in check["reasons"]] == ["person_left", "frozen"]
    async with sessionmaker() as db:
        pending = await db.scalars(
            select(Timer).where(Timer.dedupe_key.startswith(f"cert:{cert.id}:"), Timer.status == "pending")
        )
        assert list(pending) == []
        assert (await db.get(Certificate, cert.id)).status == "valid"
    assert SECRET  # the simulator verified every signature (a bad one would have been refused)
    assert all(r.signature_ok for r in sim.state.received)
