"""Badge endpoints and the `badge.scan` sync command on SQLite and PostgreSQL: real app, real DB."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import timedelta
from typing import Any

import msgspec
from PIL import Image
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.badges.models import BadgeScan
from backend.badges.verify import Synced, load_trust_list, verify
from backend.db.engine import transaction
from backend.people.models import Person
from backend.workers import service as workers
from backend.workers.freeze_part import freeze
from tests.backend.sync.helpers import Phone
from tests.factories import make_org, make_person


async def _setup(sessionmaker: Any, settings: Any, clock: Any) -> dict[str, Any]:
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        welder = await make_person(db, settings.secret_key, org.team_a, "张焊工")
        far = await make_person(db, settings.secret_key, org.team_b, "王远")
        roles = [("inspector", org.site_a)]
        inspector = await make_person(db, settings.secret_key, org.site_a, "李巡检", roles)
    async with transaction(sessionmaker) as db:
        ctx = workers.context(db, settings, clock())
        holder = ctx.ciphers.id_number.decrypt(welder.id_number_enc)
        today = ctx.today
        await workers.add_certificate(
            ctx,
            await db.get(Person, welder.id),
            workers.CertificateInput(
                item_key="mem:02-01",
                number="T" + holder,
                issued_on=today - timedelta(days=300),
                valid_until=today - timedelta(days=300) + timedelta(days=6 * 365),
                issuing_authority="南京市应急管理局",
            ),
        )
    return {"org": org, "welder": welder, "far": far, "inspector": inspector}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def _trust(client: Any) -> Any:
    t = (await client.get("/api/badges/trust")).json()
    return load_trust_list(base64.b64decode(t["trust_list"]), base64.b64decode(t["root"]))


async def test_worker_code_verifies_offline_with_the_site_bundle(sessionmaker, settings, clock, client_as):
    s = await _setup(sessionmaker, settings, clock)
    worker = await client_as(s["welder"])
    res = await worker.put(f"/api/badges/photos/{s['welder'].id}", content=_png())
    assert res.status_code == 200, res.text
    photo_sha = res.json()["sha256"]
    code = (await worker.get("/api/badges/me/code")).json()
    assert code["text"].startswith("TZ1:")

    inspector = await client_as(s["inspector"])
    bundle = (await inspector.get("/api/badges/site")).json()
    trust = load_trust_list(base64.b64decode(bundle["trust_list"]), base64.b64decode(bundle["root"]))
    synced = msgspec.convert(bundle["synced"], Synced)
    names = {w.n for w in synced.workers}
    assert "张焊工" in names and "王远" not in names  # only the inspector's site
    assert bundle["photos"][str(s["welder"].id)].startswith("data:image/jpeg;base64,")
    now = int(clock().timestamp())
    v = verify(code["text"], trust, now, synced)
    assert v.verdict == "green", v.reasons
    assert v.worker and v.worker["name"] == "张焊工" and v.worker["photo_hash"] == photo_sha[:32]
    hot = next(t for t in bundle["work_types"] if t["code"] == "hot_work")
    assert verify(code["text"], trust, now, synced, hot["roles"]["operator"]).verdict == "green"
    lifting = next(t for t in bundle["work_types"] if t["code"] == "lifting")
    refused = verify(code["text"], trust, now, synced, lifting["roles"]["operator"])
    assert refused.verdict == "red" and refused.reasons[0]["code"] == "certificate_missing"
    # a day later the code has expired
    assert verify(code["text"], trust, now + 25 * 3600, synced).verdict == "red"


async def test_freeze_turns_the_code_and_the_bundle_red(sessionmaker, settings, clock, client_as):
    s = await _setup(sessionmaker, settings, clock)
    worker = await client_as(s["welder"])
    before = (await worker.get("/api/badges/me/code")).json()["text"]
    async with transaction(sessionmaker) as db:
        await freeze(db, await db.get(Person, s["welder"].id), "manual", clock())
    after = (await worker.get("/api/badges/me/code")).json()["text"]
    inspector = await client_as(s["inspector"])
    bundle = (await inspector.get("/api/badges/site")).json()
    synced = msgspec.convert(bundle["synced"], Synced)
    trust = await _trust(inspector)
    now = int(clock().timestamp())
    # the code issued before the freeze is still caught by the synced freeze list
    for text in (before, after):
        v = verify(text, trust, now, synced)
        assert v.verdict == "red" and "worker_frozen" in {r["code"] for r in v.reasons}
    online = (await inspector.post("/api/badges/verify", json={"code": before})).json()
    assert online["verdict"] == "red"


async def test_access_and_validation(sessionmaker, settings, clock, client_as):
    s = await _setup(sessionmaker, settings, clock)
    worker = await client_as(s["welder"])
    res = await worker.get("/api/badges/site")
    assert res.status_code == 403 and res.json()["code"] == "role_required"
    res = await worker.put(f"/api/badges/photos/{s['welder'].id}", content=b"not an image at all")
    assert res.status_code == 422 and res.json()["code"] == "photo_type"
    bomb = io.BytesIO()  # a few KiB of PNG that would decode to 48 megapixels
    Image.new("1", (8000, 6000)).save(bomb, "PNG")
    res = await worker.put(f"/api/badges/photos/{s['welder'].id}", content=bomb.getvalue())
    assert res.status_code == 422 and res.json()["code"] == "photo_too_large"
    res = await worker.put(f"/api/badges/photos/{s['far'].id}", content=_png())
    assert res.status_code == 403
    inspector = await client_as(s["inspector"])
    res = await inspector.post("/api/badges/verify", json={"code": ""})
    assert res.status_code == 400
    res = await inspector.post("/api/badges/verify", json={"code": "TZ1:X", "work_type": "nope"})
    assert res.status_code == 422 and res.json()["code"] == "work_type_unknown"
    res = await inspector.post("/api/badges/verify", json={"code": "TZ1:hello"})
    assert res.json()["verdict"] == "red" and res.json()["reasons"][0]["code"] == "bad_base45"
    assert (await inspector.get(f"/api/badges/photos/{s['welder'].id}")).status_code == 404


async def test_scans_sync_as_append_and_land_in_the_audit_log(sessionmaker, settings, clock, client_as):
    s = await _setup(sessionmaker, settings, clock)
    code = (await (await client_as(s["welder"])).get("/api/badges/me/code")).json()["text"]
    inspector = await client_as(s["inspector"])
    phone = Phone(clock)
    scan_id = uuid.uuid4()
    args = {"code": code, "verdict": "green", "reasons": [], "place": "罐区 T-101", "lat": 32.1, "lon": 118.8}
    op = phone.op("badge.scan", "badge_scan", scan_id, args)
    res = await inspector.post("/api/sync/push", json=phone.body(op))
    assert res.status_code == 200, res.text
    assert res.json()["results"][0]["status"] == "applied"
    again = await inspector.post("/api/sync/push", json=phone.body(op))
    assert again.json()["results"][0]["status"] == "duplicate"
    bad = phone.op("badge.scan", "badge_scan", uuid.uuid4(), args | {"verdict": "blue"})
    res = await inspector.post("/api/sync/push", json=phone.body(bad))
    assert res.json()["results"][0]["status"] == "rejected"
    worker_phone = Phone(clock)
    wop = worker_phone.op("badge.scan", "badge_scan", uuid.uuid4(), args)
    res = await (await client_as(s["welder"])).post("/api/sync/push", json=worker_phone.body(wop))
    assert res.json()["results"][0]["code"] == "role_required"
    async with sessionmaker() as db:
        scans = list(await db.scalars(select(BadgeScan)))
        assert len(scans) == 1
        scan = scans[0]
        assert (scan.inspector_id, scan.worker_id) == (s["inspector"].id, s["welder"].id)
        assert (scan.verdict, scan.server_verdict, scan.place) == ("green", "green", "罐区 T-101")
        entries = list(await db.scalars(select(AuditEntry).where(AuditEntry.action == "badge.scan")))
        assert len(entries) == 1
        assert entries[0].entity_id == str(scan_id) and entries[0].actor_id == s["inspector"].id
        assert entries[0].details["worker_id"] == str(s["welder"].id)


async def test_printable_badge(sessionmaker, settings, clock, client_as):
    from backend.permits.pdf import cjk_font

    s = await _setup(sessionmaker, settings, clock)
    async with transaction(sessionmaker) as db:
        officer = await make_person(
            db, settings.secret_key, s["org"].site_a, "赵安全", [("safety_officer", s["org"].site_a)]
        )
    worker = await client_as(s["welder"])
    assert (await worker.get(f"/api/badges/{s['welder'].id}/badge.pdf")).status_code == 403
    await worker.put(f"/api/badges/photos/{s['welder'].id}", content=_png())
    res = await (await client_as(officer)).get(f"/api/badges/{s['welder'].id}/badge.pdf")
    if cjk_font() is None:
        assert res.status_code == 503
        return
    assert res.status_code == 200 and res.content.startswith(b"%PDF")
    assert res.headers["content-type"].startswith("application/pdf")


async def test_cli_verify_prints_a_json_verdict(sessionmaker, settings, clock, capsys, monkeypatch):
    import json

    from backend import cli
    from backend.badges import service

    s = await _setup(sessionmaker, settings, clock)
    text = service.badge_code(settings, s["welder"], clock()).text
    monkeypatch.setenv("TEZUO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TEZUO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TEZUO_SECRET_KEY", settings.secret_key.decode())
    # the CLI runs its own event loop: call it from a worker thread
    import asyncio

    code = await asyncio.to_thread(cli.main, ["badge", "verify", text])
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "badge" and out["worker"]["name"] == "张焊工"
    assert code == {"green": 0, "amber": 1, "red": 2}[out["verdict"]]
    assert out["verdict"] in ("green", "amber")  # the CLI's clock is the real one, not the test's
    bad = await asyncio.to_thread(cli.main, ["badge", "verify", "TZ1:" + text[5:]])
    assert bad == 2 and json.loads(capsys.readouterr().out)["verdict"] == "red"
