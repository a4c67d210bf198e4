"""End to end over HTTP with the injected clock: sign, lock, hand over, escalate, block, expire, reject."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from backend.db.engine import transaction
from backend.people.models import Person
from tests.backend.permits.conftest import Plant, centre, decide, hot_work_request, location_of


async def _create(plant: Plant, **overrides: Any) -> dict[str, Any]:
    res = await plant.tl.client.post("/api/permits/", json=hot_work_request(plant, **overrides))
    assert res.status_code == 201, res.text
    return dict(res.json())


async def _analysis(plant: Plant, permit_id: str, **kw: Any) -> Any:
    body = {
        "sampled_at": plant.clock().isoformat(),
        "point": "动火点10 m内",
        "gas": "methane",
        "result": 2.0,
        "unit": "lel",
    }
    body.update(kw)
    return await plant.guardian.client.post(f"/api/permits/{permit_id}/gas-analyses", json=body)


async def _approved_grade_2(plant: Plant) -> dict[str, Any]:
    permit = await _create(plant)
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    res = await decide(plant.so, permit["id"], "s1.safety_officer", location=where)
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "approved"
    return dict(res.json())


async def test_grade_2_hot_work_is_approved_by_dual_signature_pushed_started_and_completed(
    plant: Plant,
) -> None:
    permit = await _create(plant)
    assert permit["grade"] == "2" and permit["status"] == "submitted"
    assert [(s["key"], s["status"]) for s in permit["slots"]] == [
        ("s1.safety_officer", "pending"),
        ("s1.team_leader", "pending"),
    ]
    inbox = (await plant.so.client.get("/api/permits/", params={"mine": "inbox"})).json()
    assert [p["number"] for p in inbox] == [permit["number"]] and inbox[0]["my_steps"] == [
        "s1.safety_officer"
    ]

    where = centre(plant.general)
    first = await decide(plant.tl, permit["id"], "s1.team_leader", location=where)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "approving"
    # One person cannot fill both signatures, and nobody else can sign someone's step.
    assert (await decide(plant.tl, permit["id"], "s1.safety_officer", location=where)).json()[
        "code"
    ] == "not_your_step"
    off_site = await decide(plant.so, permit["id"], "s1.safety_officer", location=location_of(1500, 900))
    assert off_site.status_code == 403 and off_site.json()["code"] == "approval_off_site"
    assert (await decide(plant.so, permit["id"], "s1.safety_officer")).json()["code"] == "location_required"

    second = await decide(plant.so, permit["id"], "s1.safety_officer", location=where, comment="措施落实")
    assert second.status_code == 200, second.text
    approved = second.json()
    assert approved["status"] == "approved"
    assert all(s["status"] == "approved" and s["decided_by"] for s in approved["slots"])

    # Start is 20 min away: inside the 30 min push window, so the e-permit went out at approval.
    for who in (plant.guardian, plant.w1, plant.w2, plant.inspector):
        notes = (await who.client.get("/api/permits/notifications")).json()
        epermit = next(n for n in notes if n["kind"] == "epermit")
        data = epermit["data"]
        assert data["number"] == permit["number"]
        assert data["nearest_extinguisher"]["label"] == "MFZ/ABC8 #1"
        assert 5 < data["nearest_extinguisher"]["distance_m"] < 60
        assert data["escape_route"] and data["assembly_point"]["label"] == "1号紧急集合点"
        assert data["gps"] and any(c["role"] == "guardian" for c in data["contacts"])
        assert data["emergency_phone"]

    # 验票: a gas analysis within 30 min is needed first (§5.3.1 c), on site, by the shift leader.
    early = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    assert early.status_code == 409 and early.json()["code"] == "gas_analysis_required"
    assert (await _analysis(plant, permit["id"])).status_code == 201
    started = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "active"

    plant.clock.advance(hours=3)
    done = await plant.tl.client.post(
        f"/api/permits/{permit['id']}/complete", json={"comment": "现场清理完毕"}
    )
    assert done.json()["status"] == "completed"
    closed = await plant.so.client.post(f"/api/permits/{permit['id']}/close")
    assert closed.json()["status"] == "closed"

    history = (await plant.so.client.get(f"/api/permits/{permit['id']}/history")).json()
    kinds = [e["kind"] for e in history]
    for kind in (
        "created",
        "submitted",
        "step_approved",
        "approved",
        "pushed",
        "gas_analysis",
        "started",
        "completed",
        "closed",
    ):
        assert kind in kinds
    signed = [e for e in history if e["kind"] == "step_approved"]
    assert {e["actor"]["name"] for e in signed} == {"张海军", "孙志强"}


async def test_each_signature_is_a_passkey_assertion_over_the_exact_decision(plant: Plant) -> None:
    permit = await _create(plant)
    where = centre(plant.general)
    body = {
        "step": "s1.team_leader",
        "decision": "approve",
        "comment": "",
        "location": where,
        "signed_at": "t",
    }
    signed = (await plant.tl.client.post(f"/api/permits/{permit['id']}/decisions/options", json=body)).json()
    credential = plant.tl.auth.get(signed["options"])
    # The same assertion presented for a different decision (reject) does not verify.
    tampered = {**body, "decision": "reject", "permit_version": signed["permit_version"],
                "content_sha256": signed["content_sha256"], "credential": credential}  # fmt: skip
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/decisions", json=tampered)
    assert res.status_code == 401 and res.json()["code"] == "signature_invalid"
    # Another person's passkey cannot sign the team leader's step.
    other = plant.so.auth.get(signed["options"])
    honest = {**body, "permit_version": signed["permit_version"], "content_sha256": signed["content_sha256"]}
    res = await plant.tl.client.post(
        f"/api/permits/{permit['id']}/decisions", json={**honest, "credential": other}
    )
    assert res.json()["code"] == "signature_not_signer"
    res = await plant.tl.client.post(
        f"/api/permits/{permit['id']}/decisions", json={**honest, "credential": credential}
    )
    assert res.status_code == 200, res.text
    slot = next(s for s in res.json()["slots"] if s["key"] == "s1.team_leader")
    assert slot["status"] == "approved"


async def test_special_hot_work_is_locked_by_high_gas_then_unlocked(plant: Plant) -> None:
    token = await plant.edge_token(plant.fire)
    permit = await _create(plant, area_id=str(plant.fire.id), facts={"running_equipment": True})
    assert permit["grade"] == "special"
    assert [s["role"] for s in permit["slots"]] == [
        "safety_officer",
        "team_leader",
        "workshop_director",
        "vice_president",
    ]
    where = centre(plant.fire)
    headers = {"authorization": f"Bearer {token}"}

    async def reading(lel: float, minutes_ago: float = 0) -> Any:
        at = plant.clock() - timedelta(minutes=minutes_ago)
        body = {"readings": [{"detector": "GD-1", "measured_at": at.isoformat(), "lel_percent": lel}]}
        return await plant.tl.client.post("/api/gas/readings", json=body, headers=headers)

    assert (await plant.tl.client.post("/api/gas/readings", json={"readings": []})).status_code == 401
    res = await reading(30.0)
    assert res.status_code == 200 and res.json()["out_of_limits"] == 1
    locked = await decide(plant.tl, permit["id"], "s1.team_leader", location=where)
    assert locked.status_code == 409 and locked.json()["code"] == "gas_locked"
    assert "超限" in locked.json()["detail"]

    # Good readings every 2 min for 16 min: the last 15 min are clean, the lock opens.
    for _ in range(8):
        plant.clock.advance(minutes=2)
        assert (await reading(3.0)).json()["out_of_limits"] == 0
    gas = (await plant.tl.client.get(f"/api/permits/{permit['id']}/gas")).json()
    assert gas["locked"] is False, gas
    assert gas["detectors"][0]["limit_lel_percent"] == 10.0  # methane: §5.3.2 0.5 % v/v = 10 %LEL
    res = await decide(plant.tl, permit["id"], "s1.team_leader", location=where)
    assert res.status_code == 200, res.text

    # Readings go out of limits again: the lock re-engages for the next signer.
    await reading(25.0)
    again = await decide(plant.so, permit["id"], "s1.safety_officer", location=where)
    assert again.json()["code"] == "gas_locked"
    history = (await plant.so.client.get(f"/api/permits/{permit['id']}/history")).json()
    assert [e["kind"] for e in history].count("gas_locked") >= 2


async def test_gas_alarm_suspends_an_active_permit(plant: Plant) -> None:
    token = await plant.edge_token(plant.confined, code="GD-CS")
    start = plant.clock() + timedelta(minutes=10)
    body = hot_work_request(
        plant,
        work_type="confined_space",
        area_id=str(plant.confined.id),
        content="R-101 釜内清理",
        form={"space_name": "R-101", "original_medium": "氯乙烯", "risk_identification": "中毒、窒息"},
        planned_start=start.isoformat(),
        planned_end=(start + timedelta(hours=6)).isoformat(),
    )
    permit = (await plant.tl.client.post("/api/permits/", json=body)).json()
    where = centre(plant.confined)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    assert (await decide(plant.so, permit["id"], "s1.safety_officer", location=where)).status_code == 200
    assert (await _analysis(plant, permit["id"], gas="oxygen", result=20.5, unit="o2")).status_code == 201
    started = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    assert started.json()["status"] == "active", started.text
    reading = {"detector": "GD-CS", "measured_at": plant.clock().isoformat(), "lel_percent": 40.0}
    res = await plant.tl.client.post(
        "/api/gas/readings", json={"readings": [reading]}, headers={"authorization": f"Bearer {token}"}
    )
    assert res.json()["suspended_permits"] == [permit["number"]]
    view = (await plant.guardian.client.get(f"/api/permits/{permit['id']}")).json()
    assert view["status"] == "suspended" and "气体检测超限" in view["status_reason"]
    notes = (await plant.guardian.client.get("/api/permits/notifications")).json()
    assert any(n["kind"] == "permit_state" and "暂停" in n["title"] for n in notes)

    # Confined space: a record every 2 h (§6.5); missing it suspends the work again after a resume.
    plant.clock.advance(minutes=40)
    assert (await _analysis(plant, permit["id"], gas="oxygen", result=20.6, unit="o2")).status_code == 201
    resumed = await plant.tl.client.post(f"/api/permits/{permit['id']}/resume", json={"location": where})
    assert resumed.json()["status"] == "active", resumed.text
    plant.clock.advance(minutes=121)
    await plant.scheduler_tick()
    view = (await plant.guardian.client.get(f"/api/permits/{permit['id']}")).json()
    assert view["status"] == "suspended" and "§6.5" in view["status_reason"]


async def test_an_approver_marked_away_hands_the_step_to_the_deputy(plant: Plant) -> None:
    away = {
        "starts_at": plant.clock().isoformat(),
        "ends_at": (plant.clock() + timedelta(days=3)).isoformat(),
        "reason": "出差",
    }
    assert (await plant.so.client.post("/api/permits/absences", json=away)).status_code == 201
    permit = await _create(plant)
    slot = next(s for s in permit["slots"] if s["key"] == "s1.safety_officer")
    assert slot["assignee"]["name"] == "孙志强" and slot["handed_to"]["name"] == "钱安全"
    notes = (await plant.so_deputy.client.get("/api/permits/notifications")).json()
    assert any(n["kind"] == "handover" and permit["number"] in n["body"] for n in notes)
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    res = await decide(plant.so_deputy, permit["id"], "s1.safety_officer", location=where)
    assert res.status_code == 200 and res.json()["status"] == "approved", res.text
    history = (await plant.tl.client.get(f"/api/permits/{permit['id']}/history")).json()
    assert any(e["kind"] == "handed_over" and "出差" in e["text"] for e in history)


async def test_an_approver_who_does_not_open_the_request_and_is_unreachable_is_replaced(plant: Plant) -> None:
    permit = await _create(plant)
    plant.clock.advance(minutes=31)
    await plant.scheduler_tick()
    view = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
    slot = next(s for s in view["slots"] if s["key"] == "s1.safety_officer")
    assert slot["handed_to"]["name"] == "钱安全"
    # The team leader has no B角 in this plant: their step stays with them.
    mine = next(s for s in view["slots"] if s["key"] == "s1.team_leader")
    assert mine["handed_to"] is None


async def test_two_hours_of_silence_escalates_to_the_vice_president(plant: Plant) -> None:
    permit = await _create(plant)
    plant.clock.advance(minutes=121)
    outcomes = await plant.scheduler_tick()
    assert {o.kind for o in outcomes} >= {"permits.escalate"}
    view = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
    assert all(s["escalated_to"]["name"] == "赵国栋" for s in view["slots"])
    notes = (await plant.vp.client.get("/api/permits/notifications")).json()
    assert any(n["kind"] == "escalation" for n in notes)
    where = centre(plant.general)
    assert (await decide(plant.vp, permit["id"], "s1.safety_officer", location=where)).status_code == 200


async def test_an_operator_frozen_after_approval_blocks_the_start(plant: Plant) -> None:
    start = plant.clock() + timedelta(hours=8)  # the afternoon shift (sessions last 12 h)
    permit = await _create(
        plant, planned_start=start.isoformat(), planned_end=(start + timedelta(hours=2)).isoformat()
    )
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    assert (await decide(plant.so, permit["id"], "s1.safety_officer", location=where)).status_code == 200
    async with transaction(plant.sessionmaker) as db:  # the qualifications service froze 王焊 at T-0
        await db.execute(update(Person).where(Person.id == plant.w2.person.id).values(employment="suspended"))
    plant.clock.advance(hours=8)
    assert (await _analysis(plant, permit["id"])).status_code == 201
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    assert res.status_code == 409 and res.json()["code"] == "worker_not_qualified"
    assert "王焊" in res.json()["detail"] and res.json()["refusals"][0]["code"] == "employment_suspended"


async def test_a_permit_expires_at_the_end_of_its_validity(plant: Plant) -> None:
    permit = await _approved_grade_2(plant)
    where = centre(plant.general)
    plant.clock.advance(minutes=20)
    assert (await _analysis(plant, permit["id"])).status_code == 201
    assert (
        await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    ).status_code == 200
    plant.clock.advance(hours=4)  # planned 4 h (二级 allows up to 72 h)
    await plant.scheduler_tick()
    view = (await plant.guardian.client.get(f"/api/permits/{permit['id']}")).json()
    assert view["status"] == "expired" and "§4.16" in view["status_reason"]
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/complete", json={})
    assert res.status_code == 409
    notes = (await plant.w1.client.get("/api/permits/notifications")).json()
    assert any("过期" in n["title"] for n in notes)


async def test_an_offline_approval_arriving_after_cancellation_is_rejected_with_the_reason(
    plant: Plant,
) -> None:
    permit = await _create(plant)
    where = centre(plant.general)
    # The safety officer signs on a phone without network: the signed decision waits in the outbox.
    body = {"step": "s1.safety_officer", "decision": "approve", "comment": "", "location": where,
            "signed_at": "2026-11-30T09:05:00+08:00"}  # fmt: skip
    signed = (await plant.so.client.post(f"/api/permits/{permit['id']}/decisions/options", json=body)).json()
    credential = plant.so.auth.get(signed["options"])
    cancelled = await plant.tl.client.post(
        f"/api/permits/{permit['id']}/cancel", json={"reason": "装置临时开车，作业取消"}
    )
    assert cancelled.json()["status"] == "cancelled"
    late = await plant.so.client.post(
        f"/api/permits/{permit['id']}/decisions",
        json={**body, "permit_version": signed["permit_version"], "content_sha256": signed["content_sha256"],
              "credential": credential},
    )  # fmt: skip
    assert late.status_code == 409
    problem = late.json()
    assert problem["code"] == "permit_cancelled"
    assert "装置临时开车，作业取消" in problem["detail"] and problem["reason"] == "装置临时开车，作业取消"


async def test_scope_change_forces_a_new_permit(plant: Plant) -> None:
    permit = await _create(plant)
    changed = hot_work_request(plant, content="更换法兰并增加一处焊口")
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/reissue", json=changed)
    assert res.status_code == 201, res.text
    assert res.json()["status"] == "submitted" and res.json()["number"] != permit["number"]
    old = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
    assert old["status"] == "cancelled" and "§4.16" in old["status_reason"]


async def test_validity_and_grading_blockers_are_refused_with_the_clause(plant: Plant) -> None:
    start = plant.clock() + timedelta(minutes=30)
    too_long = hot_work_request(
        plant,
        area_id=str(plant.fire.id),
        planned_start=start.isoformat(),
        planned_end=(start + timedelta(hours=9)).isoformat(),
    )
    res = await plant.tl.client.post("/api/permits/", json=too_long)
    assert (
        res.status_code == 422
        and res.json()["code"] == "validity_exceeded"
        and res.json()["validity_hours"] == 8
    )
    windy = hot_work_request(plant, facts={"outdoor": True, "wind_force": 6})
    res = await plant.tl.client.post("/api/permits/", json=windy)
    assert (
        res.status_code == 409
        and res.json()["code"] == "grading_blocked"
        and "§5.2.15" in res.json()["detail"]
    )


async def test_simops_blocks_hot_work_within_30_m_of_blinding(plant: Plant) -> None:
    blind = hot_work_request(
        plant,
        work_type="blinding",
        content="P-101 出口加盲板",
        work_point=[250, 150],
        form={
            "pipe_name": "P-101",
            "medium": "循环水 常温 0.3MPa",
            "blind_spec": "DN100 #12",
            "action": "堵",
        },
    )
    assert (await plant.tl.client.post("/api/permits/", json=blind)).status_code == 201
    near = hot_work_request(plant, work_point=[290, 150])  # 40 px × 0.5 m = 20 m away
    res = await plant.tl.client.post("/api/permits/", json=near)
    assert (
        res.status_code == 409 and res.json()["code"] == "simops_conflict" and "§7.6" in res.json()["detail"]
    )
    far = hot_work_request(
        plant, area_id=str(plant.fire.id), work_point=[590, 150], facts={"shutdown_isolated": True}
    )
    res = await plant.tl.client.post("/api/permits/", json=far)  # 170 m away: allowed
    assert res.status_code == 201, res.text
    site_map = (
        await plant.so.client.get("/api/permits/map", params={"site_id": str(plant.org.site_a.id)})
    ).json()
    assert len(site_map["permits"]) == 2 and 0.45 < site_map["metres_per_pixel"] < 0.55


async def test_the_printable_permit_is_an_a4_pdf(plant: Plant) -> None:
    import os

    import pytest

    from backend.permits.pdf import cjk_font

    if cjk_font() is None:
        reason = "no CJK font installed (Debian: apt-get install fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " — .ci/run must install it")
        pytest.skip(reason)
    permit = await _approved_grade_2(plant)
    res = await plant.so.client.get(f"/api/permits/{permit['id']}/pdf")
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    assert res.content.startswith(b"%PDF") and b"/MediaBox [0 0 595.28 841.89]" in res.content
    assert b"FontFile" in res.content  # the CJK font is embedded (subset)


async def test_the_e_permit_is_pushed_30_minutes_before_the_start_by_the_timer(plant: Plant) -> None:
    start = plant.clock() + timedelta(hours=2)
    permit = await _create(
        plant, planned_start=start.isoformat(), planned_end=(start + timedelta(hours=3)).isoformat()
    )
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    assert (await decide(plant.so, permit["id"], "s1.safety_officer", location=where)).status_code == 200
    assert not [
        n
        for n in (await plant.guardian.client.get("/api/permits/notifications")).json()
        if n["kind"] == "epermit"
    ]
    plant.clock.advance(minutes=89)
    await plant.scheduler_tick()
    assert not [
        n
        for n in (await plant.guardian.client.get("/api/permits/notifications")).json()
        if n["kind"] == "epermit"
    ]
    plant.clock.advance(minutes=1)  # start − 30 min
    await plant.scheduler_tick()
    for who in (plant.guardian, plant.w1, plant.inspector):
        pushed = [
            n for n in (await who.client.get("/api/permits/notifications")).json() if n["kind"] == "epermit"
        ]
        assert len(pushed) == 1 and pushed[0]["permit_id"] == permit["id"]
    assert not [
        n for n in (await plant.vp.client.get("/api/permits/notifications")).json() if n["kind"] == "epermit"
    ]


async def test_a_rejection_ends_the_permit_with_the_reason(plant: Plant) -> None:
    permit = await _create(plant)
    where = centre(plant.general)
    res = await decide(
        plant.so, permit["id"], "s1.safety_officer", decision="reject", location=where, comment="盲板未加"
    )
    assert res.status_code == 200 and res.json()["status"] == "rejected"
    assert "盲板未加" in res.json()["status_reason"]
    late = await decide(plant.tl, permit["id"], "s1.team_leader", location=where)
    assert late.status_code == 409 and late.json()["code"] == "permit_rejected"


async def test_a_long_break_needs_a_new_gas_analysis_before_resuming(plant: Plant) -> None:
    permit = await _approved_grade_2(plant)
    where = centre(plant.general)
    plant.clock.advance(minutes=20)
    assert (await _analysis(plant, permit["id"])).status_code == 201
    assert (
        await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    ).status_code == 200
    res = await plant.guardian.client.post(
        f"/api/permits/{permit['id']}/suspend", json={"reason": "监护人临时离开"}
    )
    assert res.json()["status"] == "suspended"
    plant.clock.advance(minutes=61)  # 二级: > 60 min → re-test (§5.3.1 d)
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/resume", json={"location": where})
    assert res.status_code == 409 and res.json()["code"] == "gas_analysis_required"
    assert (await _analysis(plant, permit["id"])).status_code == 201
    res = await plant.tl.client.post(f"/api/permits/{permit['id']}/resume", json={"location": where})
    assert res.status_code == 200 and res.json()["status"] == "active"
    # A worker may not suspend or start anything; the guardian may suspend (§4.10 e).
    assert (
        await plant.w1.client.post(f"/api/permits/{permit['id']}/suspend", json={"reason": "x"})
    ).status_code == 403


async def test_special_hot_work_is_watched_continuously_and_stops_when_the_detector_goes_silent(
    plant: Plant,
) -> None:
    token = await plant.edge_token(plant.fire)
    headers = {"authorization": f"Bearer {token}"}

    async def clean_minutes(minutes: int) -> None:
        for _ in range(minutes // 2):
            plant.clock.advance(minutes=2)
            body = {
                "readings": [
                    {"detector": "GD-1", "measured_at": plant.clock().isoformat(), "lel_percent": 2.0}
                ]
            }
            assert (
                await plant.tl.client.post("/api/gas/readings", json=body, headers=headers)
            ).status_code == 200

    permit = await _create(plant, area_id=str(plant.fire.id), facts={"hot_tapping": True})
    assert permit["grade"] == "special"
    await clean_minutes(16)
    where = centre(plant.fire)
    for actor, step in ((plant.tl, "s1.team_leader"), (plant.so, "s1.safety_officer"),
                        (plant.wd, "s2.workshop_director"), (plant.vp, "s3.vice_president")):  # fmt: skip
        res = await decide(actor, permit["id"], step, location=where)
        assert res.status_code == 200, res.text
    assert res.json()["status"] == "approved"
    assert (await _analysis(plant, permit["id"], point="管线内部及10 m内")).status_code == 201
    await clean_minutes(2)
    started = await plant.tl.client.post(f"/api/permits/{permit['id']}/start", json={"location": where})
    assert started.status_code == 200 and started.json()["status"] == "active", started.text
    # Readings keep coming: the watch re-arms; then the detector falls silent.
    await clean_minutes(6)
    await plant.scheduler_tick()
    assert (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()["status"] == "active"
    plant.clock.advance(minutes=6)
    await plant.scheduler_tick()
    view = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
    assert view["status"] == "suspended" and "连续气体监测" in view["status_reason"]
