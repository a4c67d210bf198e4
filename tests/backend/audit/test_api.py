"""The audit API end to end: tree heads, proofs and histories, each checked by the independent
verifier in rfc6962.py and by a leaf encoding and signature check written here from the spec."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import timedelta

from backend.audit import service
from backend.auth.service import issue_enrollment
from backend.db.engine import transaction
from backend.people.models import Person
from tests.backend.audit import rfc6962
from tests.backend.audit.helpers import build_log, leaf_of_entry, signed_head
from tests.backend.auth.authenticator import SoftAuthenticator, b64u
from tests.factories import make_person

DEVICE = {"x-tezuo-device": "phone-7f3a", "x-tezuo-hlc": "2026-11-28T07:59:58.120Z-0003-phone-7f3a"}


async def test_tree_heads_and_proofs_verify_independently(client_as, sessionmaker, settings, clock, org):
    async with transaction(sessionmaker) as db:
        reader = await make_person(db, settings.secret_key, org.team_a, "审计员")
    client = await client_as(reader)
    await build_log(sessionmaker, settings, clock, n=21)
    first = await signed_head(client)
    assert (await client.get("/api/audit/sth")).json() == first
    await build_log(sessionmaker, settings, clock, n=30)
    clock.advance(minutes=1)
    second = await signed_head(client)
    m, n = first["tree_size"], second["tree_size"]
    assert m < n
    again = (await client.post("/api/audit/sth")).json()
    assert again == second  # nothing new: the latest head is handed out again, not re-signed

    root = base64.b64decode(second["sha256_root_hash"])
    for index in (0, 1, m - 1, m, n - 2, n - 1):
        res = await client.get("/api/audit/proof/inclusion", params={"leaf_index": index, "tree_size": n})
        proof = res.json()
        path = [base64.b64decode(h) for h in proof["audit_path"]]
        leaf = base64.b64decode(proof["leaf_hash"])
        assert rfc6962.verify_inclusion(leaf, index, n, path, root), index
        assert not rfc6962.verify_inclusion(leaf, (index + 1) % n, n, path, root)

    res = await client.get("/api/audit/proof/consistency", params={"first": m, "second": n})
    proof = [base64.b64decode(h) for h in res.json()["consistency"]]
    old = base64.b64decode(first["sha256_root_hash"])
    assert rfc6962.verify_consistency(m, n, old, root, proof)
    assert not rfc6962.verify_consistency(m, n, hashlib.sha256(b"fork").digest(), root, proof)

    res = await client.get("/api/audit/proof/inclusion", params={"leaf_index": 0, "tree_size": n + 5})
    assert res.status_code == 422 and res.json()["code"] == "tree_size_unknown"
    res = await client.get("/api/audit/proof/inclusion", params={"leaf_index": n, "tree_size": n})
    assert res.status_code == 422 and res.json()["code"] == "leaf_index_invalid"
    res = await client.get("/api/audit/proof/consistency", params={"first": n, "second": m})
    assert res.status_code == 422


async def test_the_api_needs_a_signed_in_caller(app_client):
    assert (await app_client.get("/api/audit/sth")).status_code == 401
    assert (await app_client.get("/api/audit/proof/inclusion?leaf_index=0&tree_size=1")).status_code == 401


async def test_a_worker_sees_their_history_verified_and_others_evidence_withheld(
    client_as, sessionmaker, settings, org
):
    async with transaction(sessionmaker) as db:
        admin = await make_person(db, settings.secret_key, org.team_a, "吴管理", [("admin", org.enterprise)])
        other = await make_person(db, settings.secret_key, org.team_b, "钱小兵")
    hr = await client_as(admin)
    body = {
        "name": "郑焊工",
        "id_number": "32010219850612123X",
        "unit_code": "SA-W1-T1",
        "roles": [{"role": "worker", "scope_code": "SA-W1-T1"}],
    }
    created = await hr.post("/api/people/", json=body, headers=DEVICE)
    assert created.status_code == 201, created.text
    worker_id = created.json()["id"]
    assert (await hr.post(f"/api/people/{worker_id}/enrollment", headers=DEVICE)).status_code == 201

    async with transaction(sessionmaker) as db:
        worker = await db.get(Person, uuid.UUID(worker_id))
    own = await client_as(worker)
    sth = await signed_head(own)
    history = (
        await own.get("/api/audit/history", params={"entity": "person", "entity_id": worker_id})
    ).json()
    assert [e["action"] for e in history["entries"]] == ["enrollment.issue", "role.grant", "person.create"]
    assert history["tree_head"] == sth
    root = base64.b64decode(sth["sha256_root_hash"])
    for e in history["entries"]:
        assert e["actor_name"] == "吴管理" and e["evidence"] is None  # the admin's IP is not the worker's
        path = [base64.b64decode(h) for h in e["audit_path"]]
        assert rfc6962.verify_inclusion(leaf_of_entry(e), e["leaf_index"], sth["tree_size"], path, root)

    seen = (await hr.get("/api/audit/history", params={"entity": "person", "entity_id": worker_id})).json()
    evidence = seen["entries"][-1]["evidence"]
    assert evidence["channel"] == "api" and evidence["device_id"] == "phone-7f3a"
    assert evidence["device_time"] == DEVICE["x-tezuo-hlc"] and evidence["ip"]
    assert seen["entries"][-1]["details"] == {"unit": "SA-W1-T1", "contractor_id": None}

    stranger = await client_as(other)
    res = await stranger.get("/api/audit/history", params={"entity": "person", "entity_id": worker_id})
    assert res.status_code == 403
    res = await own.get("/api/audit/history", params={"entity": "boiler", "entity_id": worker_id})
    assert res.status_code == 422 and res.json()["code"] == "entity_unknown"


async def test_sign_in_and_out_are_recorded_with_the_passkey(app_client, sessionmaker, settings, clock, org):
    async with transaction(sessionmaker) as db:
        person = await make_person(db, settings.secret_key, org.team_a, "李卫东")
        code, _ = await issue_enrollment(db, person.id, clock(), timedelta(hours=1))
    auth = SoftAuthenticator()
    opts = (await app_client.post("/api/auth/enroll/options", json={"code": code})).json()
    body = {"challenge_id": opts["challenge_id"], "code": code, "credential": auth.create(opts["options"])}
    assert (await app_client.post("/api/auth/enroll/verify", json=body, headers=DEVICE)).status_code == 200
    await app_client.post("/api/auth/logout", headers=DEVICE)
    opts = (await app_client.post("/api/auth/login/options")).json()
    body = {"challenge_id": opts["challenge_id"], "credential": auth.get(opts["options"])}
    assert (await app_client.post("/api/auth/login/verify", json=body, headers=DEVICE)).status_code == 200

    history = (
        await app_client.get("/api/audit/history", params={"entity": "person", "entity_id": str(person.id)})
    ).json()
    actions = [e["action"] for e in history["entries"]]
    assert actions[:3] == ["auth.login", "auth.logout", "passkey.register"]
    credential = b64u(next(iter(auth.credentials)))
    for e in history["entries"][:3]:
        assert e["actor_id"] == str(person.id)
        assert e["evidence"]["credential_id"] == credential and e["evidence"]["device_id"] == "phone-7f3a"
        assert e["audit_path"] is None  # no signed head covers them yet


async def test_callers_cannot_make_the_log_sign_at_every_request(
    client_as, sessionmaker, settings, clock, org
):
    async with transaction(sessionmaker) as db:
        person = await make_person(db, settings.secret_key, org.team_a, "频繁者")
    client = await client_as(person)
    first = (await client.post("/api/audit/sth")).json()
    async with transaction(sessionmaker) as db:
        await service.record(db, clock(), action="permit.approve", entity="permit", entity_id="p-1")
    assert (await client.post("/api/audit/sth")).json() == first  # too soon: the same head
    clock.advance(seconds=11)
    later = (await client.post("/api/audit/sth")).json()
    assert later["tree_size"] == first["tree_size"] + 1
