"""Every permit event is also an audit-log entry; a signed approval's entry names the passkey that
signed and the hash of the exact decision, and the permit's trail verifies against a signed head."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select

from backend.audit.keys import public_keys
from backend.audit.models import AuditEntry
from backend.audit.verify import verify_log
from backend.permits.models import ApprovalSlot
from tests.backend.audit import rfc6962
from tests.backend.audit.helpers import leaf_of_entry, signed_head
from tests.backend.auth.authenticator import b64u
from tests.backend.permits.conftest import Plant, centre, decide, hot_work_request


async def _approved(plant: Plant) -> dict[str, Any]:
    res = await plant.tl.client.post("/api/permits/", json=hot_work_request(plant))
    assert res.status_code == 201, res.text
    permit = dict(res.json())
    where = centre(plant.general)
    assert (await decide(plant.tl, permit["id"], "s1.team_leader", location=where)).status_code == 200
    assert (await decide(plant.so, permit["id"], "s1.safety_officer", location=where)).status_code == 200
    return permit


async def test_a_signed_approval_is_in_the_audit_log_with_its_passkey(plant: Plant) -> None:
    permit = await _approved(plant)
    async with plant.sessionmaker() as db:
        entries = (
            await db.scalars(
                select(AuditEntry).where(AuditEntry.entity_id == permit["id"]).order_by(AuditEntry.leaf_index)
            )
        ).all()
        slots = {s.key: s for s in await db.scalars(select(ApprovalSlot))}
        report = await verify_log(db, public_keys(plant.settings.keys_dir))
    assert report.ok, report.ordered()
    actions = [e.action for e in entries]
    assert actions[0] == "permit.created" and "permit.approved" in actions
    signed = [e for e in entries if e.action == "permit.step_approved"]
    assert [e.actor_id for e in signed] == [plant.tl.person.id, plant.so.person.id]
    for entry, actor, key in zip(
        signed, (plant.tl, plant.so), ("s1.team_leader", "s1.safety_officer"), strict=True
    ):
        assert entry.credential_id == b64u(next(iter(actor.auth.credentials)))
        assert entry.details["challenge_sha256"] == slots[key].evidence["challenge_sha256"]
        assert entry.details["step"] == key and entry.device_time == "t"  # the phone's signing clock
        assert entry.entity_version == entry.details["revision"] == 1
        assert entry.ip and entry.channel == "api"


async def test_the_permits_trail_verifies_and_stays_with_those_involved(plant: Plant) -> None:
    permit = await _approved(plant)
    head = await signed_head(plant.w1.client)
    trail = await plant.w1.client.get(
        "/api/audit/history", params={"entity": "permit", "entity_id": permit["id"]}
    )
    assert trail.status_code == 200, trail.text
    root = base64.b64decode(head["sha256_root_hash"])
    entries = trail.json()["entries"]
    assert {"permit.created", "permit.step_approved", "permit.approved"} <= {e["action"] for e in entries}
    for e in entries:
        path = [base64.b64decode(h) for h in e["audit_path"]]
        assert rfc6962.verify_inclusion(leaf_of_entry(e), e["leaf_index"], head["tree_size"], path, root)
    # an operator takes part but oversees nothing: the signers' IP and device stay hidden
    assert all(e["evidence"] is None for e in entries)
    seen = await plant.so.client.get(
        "/api/audit/history", params={"entity": "permit", "entity_id": permit["id"]}
    )
    assert any(e["evidence"] and e["evidence"]["credential_id"] for e in seen.json()["entries"])
    for bad in ("not-a-uuid", "01a2222f-3bbe-76f0-8d51-ebf064cf1d03"):
        res = await plant.w1.client.get("/api/audit/history", params={"entity": "permit", "entity_id": bad})
        assert res.status_code == 404 and res.json()["code"] == "permit_unknown"
