"""The picked permit and the scan's place, on SQLite and PostgreSQL: real app, real DB.

The site bundle carries the permits in force in the inspector's scopes with who is on them; a
verdict for a picked permit needs the worker on it and their certificates to cover their role.
"""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.badges.models import BadgeScan
from backend.badges.verify import PermitNeed, Synced, load_trust_list, verify
from backend.db.engine import transaction
from backend.org.models import Area
from backend.permits.models import Permit
from tests.backend.badges.test_api import _setup
from tests.backend.sync.helpers import Phone


def _permit(
    n: str, area: Area, scope: str, applicant: Any, crew: list[Any], guardian: Any, now: Any, **kw: Any
) -> Permit:
    return Permit(
        number=n,
        work_type=kw.pop("work_type", "hot_work"),
        grade="2",
        status=kw.pop("status", "active"),
        site_id=area.site_id,
        area_id=area.id,
        scope_path=scope,
        applicant_id=applicant.id,
        guardian_id=guardian.id if guardian else None,
        operator_ids=[str(p.id) for p in crew],
        content="作业",
        planned_start=now - timedelta(hours=1),
        planned_end=now + timedelta(hours=4),
        valid_until=kw.pop("valid_until", now + timedelta(hours=4)),
        created_at=now,
        updated_at=now,
        **kw,
    )


async def _with_permits(sessionmaker: Any, settings: Any, clock: Any) -> dict[str, Any]:
    s = await _setup(sessionmaker, settings, clock)
    org, now = s["org"], clock()
    async with transaction(sessionmaker) as db:
        area = Area(site_id=org.site_a.id, workshop_id=org.workshop_a.id, code="T-101", name="罐区 T-101")
        area.hazard_class, area.plan_polygon, area.scope_path = (
            "fire_class_a",
            [[0, 0], [1, 0]],
            org.site_a.path,
        )
        db.add(area)
        await db.flush()
        leader, welder, far = s["inspector"], s["welder"], s["far"]
        scope = org.workshop_a.path
        s["hot"] = _permit("DH-1", area, scope, leader, [welder], far, now)
        s["lift"] = _permit("DZ-1", area, scope, leader, [far], None, now, work_type="lifting")
        s["closed"] = _permit("DH-0", area, scope, leader, [welder], None, now, status="closed")
        s["lapsed"] = _permit(
            "DH-9", area, scope, leader, [welder], None, now, valid_until=now - timedelta(minutes=1)
        )
        s["elsewhere"] = _permit("DH-B", area, org.workshop_b.path, leader, [welder], far, now)
        db.add_all([s["hot"], s["lift"], s["closed"], s["lapsed"], s["elsewhere"]])
    return s


async def test_site_bundle_lists_permits_in_force_with_people_and_needs(
    sessionmaker, settings, clock, client_as
):
    s = await _with_permits(sessionmaker, settings, clock)
    inspector = await client_as(s["inspector"])
    site = (await inspector.get("/api/badges/site")).json()
    assert [p["number"] for p in site["permits"]] == ["DH-1", "DZ-1"]  # not closed, not past validity
    hot = site["permits"][0]
    assert (hot["work_type"], hot["grade"], hot["status"], hot["area_code"]) == (
        "hot_work",
        "2",
        "active",
        "T-101",
    )
    assert hot["people"] == {
        str(s["welder"].id): ["operator"],
        str(s["far"].id): ["guardian"],
        str(s["inspector"].id): ["applicant"],
    }
    assert ["mem:02-01"] in [alts[:1] for alts in hot["needs"]["operator"]]
    assert "guardian" not in hot["needs"] or hot["needs"]["guardian"] == []

    # offline, as the phone does: the worker on the permit with the certificate → green
    trust = load_trust_list(base64.b64decode(site["trust_list"]), base64.b64decode(site["root"]))
    import msgspec

    synced = msgspec.convert(site["synced"], Synced)
    needs = {p["number"]: PermitNeed(p["number"], p["people"], p["needs"]) for p in site["permits"]}
    welder_code = (await (await client_as(s["welder"])).get("/api/badges/me/code")).json()["text"]
    far_code = (await (await client_as(s["far"])).get("/api/badges/me/code")).json()["text"]
    at = int(clock().timestamp())
    assert verify(welder_code, trust, at, synced, permit=needs["DH-1"]).verdict == "green"
    off = verify(welder_code, trust, at, synced, permit=needs["DZ-1"])
    assert (off.verdict, [r["code"] for r in off.reasons]) == ("red", ["not_on_permit"])
    lift = verify(far_code, trust, at, synced, permit=needs["DZ-1"])
    assert lift.verdict == "red" and [r["code"] for r in lift.reasons] == ["certificate_missing"]
    assert (
        verify(far_code, trust, at, synced, permit=needs["DH-1"]).verdict == "green"
    )  # guardian: no certificate


async def test_online_verify_with_a_picked_permit(sessionmaker, settings, clock, client_as):
    s = await _with_permits(sessionmaker, settings, clock)
    inspector = await client_as(s["inspector"])
    code = (await (await client_as(s["welder"])).get("/api/badges/me/code")).json()["text"]
    on = await inspector.post("/api/badges/verify", json={"code": code, "permit_id": str(s["hot"].id)})
    assert on.json()["verdict"] == "green", on.text
    off = await inspector.post("/api/badges/verify", json={"code": code, "permit_id": str(s["lift"].id)})
    assert [r["code"] for r in off.json()["reasons"]] == ["not_on_permit"]
    unknown = await inspector.post("/api/badges/verify", json={"code": code, "permit_id": str(uuid.uuid4())})
    assert unknown.status_code == 404 and unknown.json()["code"] == "permit_unknown"
    # Another site's permit: the inspector learns nothing of it, not even that it exists.
    elsewhere = {"code": code, "permit_id": str(s["elsewhere"].id)}
    other = await inspector.post("/api/badges/verify", json=elsewhere)
    assert other.status_code == 404 and other.json()["code"] == "permit_unknown"
    bad = await inspector.post("/api/badges/verify", json={"code": code, "permit_id": "DH-1"})
    assert bad.status_code == 400


async def test_scan_keeps_where_and_the_permit(sessionmaker, settings, clock, client_as):
    s = await _with_permits(sessionmaker, settings, clock)
    code = (await (await client_as(s["welder"])).get("/api/badges/me/code")).json()["text"]
    inspector = await client_as(s["inspector"])
    phone = Phone(clock)
    located, chosen, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    base = {"code": code, "verdict": "red", "reasons": ["not_on_permit"]}
    ops = [
        phone.op(
            "badge.scan",
            "badge_scan",
            located,
            base | {"lat": 32.0613, "lon": 118.7778, "accuracy": 12.5, "permit_id": str(s["lift"].id)},
        ),
        phone.op(
            "badge.scan", "badge_scan", chosen, base | {"place": "罐区 T-101", "permit_id": str(s["lift"].id)}
        ),
        phone.op("badge.scan", "badge_scan", old, {"code": code, "verdict": "green"}),  # an older client
        phone.op(
            "badge.scan", "badge_scan", uuid.uuid4(), base | {"accuracy": 5.0}
        ),  # accuracy without a position
        phone.op("badge.scan", "badge_scan", uuid.uuid4(), base | {"lat": 32.0}),  # lat without lon
        phone.op("badge.scan", "badge_scan", uuid.uuid4(), base | {"altitude": 3}),  # strict args
    ]
    res = await inspector.post("/api/sync/push", json=phone.body(*ops))
    assert res.status_code == 200, res.text
    assert [r["status"] for r in res.json()["results"]] == ["applied"] * 3 + ["rejected"] * 3
    async with sessionmaker() as db:
        rows = {r.id: r for r in await db.scalars(select(BadgeScan))}
        assert set(rows) == {located, chosen, old}
        a, b, c = rows[located], rows[chosen], rows[old]
        assert (a.lat, a.lon, a.accuracy, a.place, a.permit_id) == (32.0613, 118.7778, 12.5, "", s["lift"].id)
        assert (a.server_verdict, a.server_reasons) == ("red", ["not_on_permit"])
        assert (b.lat, b.accuracy, b.place) == (None, None, "罐区 T-101")
        assert (c.permit_id, c.accuracy, c.server_verdict, c.scope_path) == (
            None,
            None,
            "green",
            s["org"].site_a.path,
        )
        entries = {
            e.entity_id: e.details
            for e in await db.scalars(select(AuditEntry).where(AuditEntry.action == "badge.scan"))
        }
        got = entries[str(located)]
        assert (got["lat"], got["lon"], got["accuracy"], got["permit_number"]) == (
            "32.0613",
            "118.7778",
            "12.5",
            "DZ-1",
        )
        assert entries[str(chosen)]["place"] == "罐区 T-101" and entries[str(old)]["permit_id"] is None
