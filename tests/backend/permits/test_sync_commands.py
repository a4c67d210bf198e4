"""Offline approvals, cancellations and gas analyses through POST /api/sync/push (injected clock).

The phone builds the canonical decision of docs/permits.md itself, signs SHA-256 of it with its
passkey while offline, and queues a `permit.approve` op; the server decides it when it arrives.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import select

from backend.db.engine import transaction
from backend.permits.models import ApprovalSlot, GasAnalysis
from tests.backend.permits.conftest import Actor, Plant, centre, decide, hot_work_request
from tests.backend.sync.helpers import Phone


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def _create(plant: Plant) -> dict[str, Any]:
    res = await plant.tl.client.post("/api/permits/", json=hot_work_request(plant))
    assert res.status_code == 201, res.text
    return dict(res.json())


def _signed_offline(
    plant: Plant, actor: Actor, phone: Phone, permit: dict[str, Any], step: str, decision: str = "approve"
) -> dict[str, Any]:
    """What the PWA does without network: the decision's canonical bytes (written out here from
    the documented form, not by the server's code), a passkey assertion over their SHA-256, an op."""
    args = {
        "step": step,
        "decision": decision,
        "comment": "现场已确认",
        "location": centre(plant.general),
        "signed_at": "2026-11-30T09:05:00+08:00",
        "permit_version": permit["revision"],
        "content_sha256": permit["content_sha256"],
    }
    canonical = json.dumps(
        {"v": 1, "kind": "permit.decision", "permit_id": permit["id"], **args},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    challenge = _b64u(hashlib.sha256(canonical).digest())
    signature = actor.auth.get({"rpId": "localhost", "challenge": challenge})
    return phone.op("permit.approve", "permit", permit["id"], args, signature=signature)


async def _push(actor: Actor, phone: Phone, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    res = await actor.client.post("/api/sync/push", json=phone.body(*ops))
    assert res.status_code == 200, res.text
    return list(res.json()["results"])


async def test_an_offline_approval_pushed_after_cancellation_is_rejected_with_who_when_why(
    plant: Plant,
) -> None:
    permit = await _create(plant)
    phone = Phone(plant.clock)
    op = _signed_offline(plant, plant.so, phone, permit, "s1.safety_officer")  # signed in the tank, no signal
    plant.clock.advance(minutes=7)
    cancelled = await plant.tl.client.post(
        f"/api/permits/{permit['id']}/cancel", json={"reason": "装置临时开车，作业取消"}
    )
    assert cancelled.json()["status"] == "cancelled"
    plant.clock.advance(minutes=30)  # the safety officer climbs out; the phone syncs

    [result] = await _push(plant.so, phone, op)

    assert result["status"] == "rejected" and result["code"] == "permit_cancelled"
    assert "张海军" in result["reason"]  # who
    assert "2026-11-30T01:07" in result["reason"]  # when (server time of the cancellation)
    assert "装置临时开车，作业取消" in result["reason"]  # why
    assert result["current"]["data"]["status"] == "cancelled"
    async with plant.sessionmaker() as db:
        slot = await db.scalar(select(ApprovalSlot).where(ApprovalSlot.key == "s1.safety_officer"))
        assert slot is not None and slot.status == "pending" and slot.decided_by is None
    # a retry after a lost answer gets the same decision and changes nothing
    [again] = await _push(plant.so, phone, op)
    assert again["status"] == "duplicate" and again["original"]["code"] == "permit_cancelled"


async def test_a_valid_offline_approval_is_applied_and_kept_as_evidence(plant: Plant) -> None:
    permit = await _create(plant)
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    phone = Phone(plant.clock)
    op = _signed_offline(plant, plant.so, phone, permit, "s1.safety_officer")
    # Later, online, the same passkey signs another permit: the server's counter moves past the
    # offline signature's, which must still count (docs/sync.md: counters are not compared offline).
    other = await _create(plant)
    assert (await decide(plant.tl, other["id"], "s1.team_leader", location=where)).status_code == 200
    assert (await decide(plant.so, other["id"], "s1.safety_officer", location=where)).status_code == 200
    plant.clock.advance(minutes=5)

    [result] = await _push(plant.so, phone, op)

    assert result["status"] == "applied", result
    now = (await plant.so.client.get(f"/api/permits/{permit['id']}")).json()
    assert now["status"] == "approved"
    slot = next(s for s in now["slots"] if s["key"] == "s1.safety_officer")
    assert slot["status"] == "approved" and slot["decided_by"]["id"] == str(plant.so.person.id)
    async with plant.sessionmaker() as db:
        row = await db.scalar(
            select(ApprovalSlot).where(
                ApprovalSlot.permit_id == uuid.UUID(permit["id"]), ApprovalSlot.key == "s1.safety_officer"
            )
        )
        assert row is not None and row.evidence is not None
        assert json.loads(row.evidence["canonical"])["comment"] == "现场已确认"
    history = (await plant.so.client.get(f"/api/permits/{permit['id']}/history")).json()
    assert {"step_approved", "approved"} <= {h["kind"] for h in history}


async def test_offline_approvals_need_the_signers_own_signature_over_the_decision(plant: Plant) -> None:
    permit = await _create(plant)
    phone = Phone(plant.clock)
    good = _signed_offline(plant, plant.so, phone, permit, "s1.safety_officer")
    unsigned = {**good, "op_id": phone.op("x", "permit", permit["id"], {})["op_id"]}
    unsigned.pop("signature")
    tampered = {**good, "op_id": phone.op("x", "permit", permit["id"], {})["op_id"]}
    tampered["args"] = {**good["args"], "comment": "改过的意见"}
    # the guardian signs the safety officer's step with his own passkey: not his step
    guardian_phone = Phone(plant.clock)
    foreign = _signed_offline(plant, plant.guardian, guardian_phone, permit, "s1.safety_officer")

    results = await _push(plant.so, phone, unsigned, tampered)
    [by_guardian] = await _push(plant.guardian, guardian_phone, foreign)

    assert [(r["status"], r["code"]) for r in results] == [
        ("rejected", "signature_missing"),
        ("rejected", "signature_invalid"),
    ]
    assert (by_guardian["status"], by_guardian["code"]) == ("rejected", "not_your_step")
    [good_one] = await _push(plant.so, phone, good)  # the untouched op still counts
    assert good_one["status"] == "applied"


async def test_cancel_and_gas_analysis_travel_through_sync(plant: Plant) -> None:
    permit = await _create(plant)
    phone = Phone(plant.clock)
    analysis_id = "0195f000-0000-7000-8000-00000000a001"
    gas_args = {
        "permit_id": permit["id"],
        "sampled_at": plant.clock().isoformat(),
        "point": "动火点10 m内",
        "gas": "methane",
        "result": 2.0,
        "unit": "lel",
    }
    [recorded] = await _push(
        plant.guardian, phone, phone.op("permit.gas_analysis", "gas_analysis", analysis_id, gas_args)
    )
    assert recorded["status"] == "applied", recorded
    # the worker may not cancel (not the applicant, no role): refused with the current state
    w1_phone = Phone(plant.clock)
    cancel = w1_phone.op("permit.cancel", "permit", permit["id"], {"reason": "x"})
    [refused] = await _push(plant.w1, w1_phone, cancel)
    assert refused["status"] == "rejected" and refused["code"] == "role_required"
    assert refused["current"]["data"]["status"] == "submitted"
    plant.clock.advance(minutes=1)
    tl_phone = Phone(plant.clock)
    [done] = await _push(
        plant.tl, tl_phone, tl_phone.op("permit.cancel", "permit", permit["id"], {"reason": "天气突变"})
    )
    assert done["status"] == "applied"
    after = (await plant.tl.client.get(f"/api/permits/{permit['id']}")).json()
    assert after["status"] == "cancelled" and after["status_reason"] == "天气突变"
    assert [a["point"] for a in after["analyses"]] == ["动火点10 m内"]
    async with transaction(plant.sessionmaker) as db:
        row = await db.scalar(select(GasAnalysis).where(GasAnalysis.permit_id == uuid.UUID(after["id"])))
        assert row is not None and str(row.id) == analysis_id and row.passed
