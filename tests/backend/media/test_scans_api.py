"""Certificate scans over HTTP: a worker uploads a photo, the fields wait for a reviewer, HR
confirms (with a correction) into a certificate; reuse of a photo is red; bad files are refused
with a reason and leave nothing behind."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from backend.db.engine import transaction
from backend.media.models import CertificateScan
from backend.workers import service as workers
from backend.workers.models import Certificate
from tests.backend.media.conftest import card_photo
from tests.factories import make_person

JPEG = {"content-type": "image/jpeg"}


async def _people(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        return {
            "welder": await make_person(db, key, org.team_a, "赵铁柱"),
            "other": await make_person(db, key, org.team_a, "钱小兵"),
            "hr": await make_person(db, key, org.enterprise, "林人事", [("hr", org.enterprise)]),
        }


def holder(settings, person) -> str:
    return workers.ciphers_for(settings.secret_key).id_number.decrypt(person.id_number_enc)


async def test_a_scan_waits_for_review_then_becomes_a_certificate(client_as, sessionmaker, settings, org):
    p = await _people(sessionmaker, settings, org)
    ident = holder(settings, p["welder"])
    card, body = card_photo("mem", 11, ident)
    me, hr = await client_as(p["welder"]), await client_as(p["hr"])

    up = await me.post(f"/api/media/scans/?person_id={p['welder'].id}", content=body, headers=JPEG)
    assert up.status_code == 201, up.text
    scan = up.json()
    assert scan["status"] == "pending" and scan["family"] == "mem"
    assert scan["fields"]["id_number"]["value"] == ident[:4] + "*" * 10 + ident[-4:]  # masked for the worker
    assert scan["verdict"] in ("green", "amber") and not [c for c in scan["checks"] if c["level"] == "red"]
    async with transaction(sessionmaker) as db:
        assert await db.scalar(select(func.count()).select_from(Certificate)) == 0  # nothing unconfirmed

    full = (await hr.get(f"/api/media/scans/{scan['id']}")).json()
    assert full["fields"]["number"]["value"] == "T" + ident
    confirm = {
        "item_key": full["fields"]["item_key"]["value"],
        "number": scan["fields"]["number"]["value"],  # the masked value: "as read"
        "issued_on": full["fields"]["valid_from"]["value"],
        "valid_until": full["fields"]["valid_until"]["value"],
        "issuing_authority": "应急管理部门（更正）",
        "first_issued_on": full["fields"]["first_issued_on"]["value"],
    }
    refused = await me.post(f"/api/media/scans/{scan['id']}/confirm", json=confirm)
    assert refused.status_code == 403
    done = await hr.post(f"/api/media/scans/{scan['id']}/confirm", json=confirm)
    assert done.status_code == 200, done.text
    out = done.json()
    assert out["status"] == "confirmed" and out["certificate_id"]
    assert out["corrections"] == {"authority": {"ocr": card.authority, "confirmed": "应急管理部门（更正）"}}
    cert = (await hr.get(f"/api/certificates/{out['certificate_id']}")).json()
    assert cert["item_key"] == card.item_key and cert["valid_until"] == card.valid_until
    assert len(cert["photos"]) == 1
    again = await hr.post(f"/api/media/scans/{scan['id']}/confirm", json=confirm)
    assert again.status_code == 409 and again.json()["code"] == "scan_decided"

    # The same photo for another worker: red, for the reused photo and the ID number.
    reuse = await hr.post(f"/api/media/scans/?person_id={p['other'].id}", content=body, headers=JPEG)
    assert reuse.status_code == 201
    red = {c["code"] for c in reuse.json()["checks"] if c["level"] == "red"}
    assert reuse.json()["verdict"] == "red" and {"photo_reused", "id_mismatch"} <= red
    listed = (await hr.get("/api/media/scans/")).json()
    assert [s["id"] for s in listed] == [reuse.json()["id"]]
    rejected = await hr.post(f"/api/media/scans/{reuse.json()['id']}/reject", json={"reason": "借用证书"})
    assert rejected.json()["status"] == "rejected"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG")
    return out.getvalue()


async def test_bad_files_are_refused_with_a_reason_and_nothing_is_stored(
    client_as, sessionmaker, settings, org
):
    p = await _people(sessionmaker, settings, org)
    me = await client_as(p["welder"])
    url = f"/api/media/scans/?person_id={p['welder'].id}"
    _, body = card_photo("mem", 12)
    cases = [
        (b"%PDF-1.7 not an image", 415, "image_type"),
        (body[: len(body) // 2], 422, "image_corrupt"),  # truncated JPEG
        (_png(10_000, 10_000), 422, "image_too_many_pixels"),  # 100 megapixels in ~100 kB
        (b"", 422, "image_empty"),
    ]
    for content, status, code in cases:
        r = await me.post(url, content=content, headers=JPEG)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    big = await me.post(url, content=b"\xff\xd8\xff" + b"0" * (9 * 1024 * 1024), headers=JPEG)
    assert big.status_code == 413
    other = await client_as(p["other"])
    assert (await other.post(url, content=body, headers=JPEG)).status_code == 403
    async with transaction(sessionmaker) as db:
        assert await db.scalar(select(func.count()).select_from(CertificateScan)) == 0
    scans = settings.media_dir / "scans"
    assert not scans.exists() or not any(scans.iterdir())
