"""Routing by tier: tier 1 reaches guardian, team leader, inspector, safety officer; tier 2 the first two."""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec
import pytest
from sqlalchemy import select

from backend.alarms import service
from backend.alarms.models import AlarmRecipient
from backend.alarms.routing import Routing, RoutingError, check, load_routing
from backend.alarms.schemas import AlarmIngest, SosIn
from backend.core.errors import Conflict, Invalid
from backend.db.engine import transaction
from backend.devices.schemas import GpsPoint

ROUTING = load_routing()
# The smallest JPEG: a 1×1 grey pixel.
TINY_JPEG = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP////////////////////////////////////////////////////////"
    "//////////////////////////////wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAA//EABQQAQAAAAAA"
    "AAAAAAAAAAAAAAD/2gAIAQEAAD8AN//Z"
)


def _ingest(kind: str, **extra: object) -> AlarmIngest:
    body = {"alarm_id": str(uuid.uuid4()), "kind": kind, "raised_at": "2026-11-28T08:00:00Z", **extra}
    return msgspec.convert(body, AlarmIngest)


async def _recipients(db, alarm_id) -> dict[str, tuple[str, int]]:
    rows = await db.scalars(select(AlarmRecipient).where(AlarmRecipient.alarm_id == alarm_id))
    return {r.person_id: (r.role, r.level) for r in rows}


async def _names(plant, recipients) -> set[str]:
    by_id = {p.id: name for name, p in plant.people.items()}
    return {by_id[pid] for pid in recipients}


async def test_tier_one_reaches_the_four_roles_around_the_area(sessionmaker, plant, clock, tmp_path):
    async with transaction(sessionmaker) as db:
        alarm, created, _ = await service.ingest(
            db, plant.edge, _ingest("person_under_load", area_code="SA-A1"), clock(), ROUTING, tmp_path
        )
        recipients = await _recipients(db, alarm.id)
    assert created and alarm.tier == 1 and alarm.state == "raised"
    assert await _names(plant, recipients) == {"guardian", "team_leader", "inspector", "safety_officer"}
    assert alarm.scope_path == plant.org.workshop_a.path and (alarm.x, alarm.y) == (200, 175)
    assert alarm.labels["title"]["zh-CN"] == "一级报警：吊装半径内站人"


async def test_tier_two_is_an_image_alert_for_guardian_and_team_leader(sessionmaker, plant, clock, tmp_path):
    async with transaction(sessionmaker) as db:
        alarm, _, _ = await service.ingest(
            db,
            plant.edge,
            _ingest("harness_not_high_hook", area_code="SA-A1", snapshot_jpeg=TINY_JPEG),
            clock(),
            ROUTING,
            tmp_path,
        )
        recipients = await _recipients(db, alarm.id)
    assert alarm.tier == 2 and await _names(plant, recipients) == {"guardian", "team_leader"}
    assert (tmp_path / alarm.image_path).read_bytes().startswith(b"\xff\xd8\xff")
    payload = service.push_payload(alarm, "zh-CN", ["一厂区"])
    assert payload["image"] == f"/api/alarms/{alarm.id}/image.jpg" and payload["require_interaction"] is False


async def test_the_same_alarm_id_is_one_alarm(sessionmaker, plant, clock, tmp_path):
    body = _ingest("person_under_load", area_code="SA-A1")
    async with transaction(sessionmaker) as db:
        first, created, _ = await service.ingest(db, plant.edge, body, clock(), ROUTING, tmp_path)
    async with transaction(sessionmaker) as db:
        again, created_again, _ = await service.ingest(db, plant.edge, body, clock(), ROUTING, tmp_path)
        assert created and not created_again and again.id == first.id
        with pytest.raises(Conflict):  # another device cannot claim that id
            await service.ingest(db, plant.wearable, body, clock(), ROUTING, tmp_path)


async def test_unknown_kind_or_area_is_refused(sessionmaker, plant, clock, tmp_path):
    async with transaction(sessionmaker) as db:
        with pytest.raises(Invalid, match="未知的报警类型"):
            await service.ingest(db, plant.edge, _ingest("ufo_sighting"), clock(), ROUTING, tmp_path)
        with pytest.raises(Invalid):
            await service.ingest(
                db, plant.edge, _ingest("no_helmet", area_code="SB-X"), clock(), ROUTING, tmp_path
            )


async def test_a_wearable_alarm_routes_around_its_wearer_and_locates_by_gps(
    sessionmaker, plant, clock, tmp_path
):
    gps = {"lat": 31.2283, "lon": 121.4720}  # inside the area's GPS polygon
    async with transaction(sessionmaker) as db:
        alarm, _, _ = await service.ingest(
            db, plant.wearable, _ingest("fall_detected", gps=gps), clock(), ROUTING, tmp_path
        )
        recipients = await _recipients(db, alarm.id)
    assert alarm.subject_person_id == plant.people["worker"].id and alarm.area_id == plant.area.id
    assert alarm.scope_path == plant.org.team_a.path and alarm.x is not None and 100 <= alarm.x <= 300
    assert "worker" not in await _names(plant, recipients)


async def test_sos_comes_from_the_callers_site_and_not_back_to_them(sessionmaker, plant, clock):
    async with transaction(sessionmaker) as db:
        who = await plant.principal(db, "guardian")
        data = SosIn(
            alarm_id=uuid.uuid4(), raised_at=clock(), gps=GpsPoint(lat=31.2285, lon=121.4725), accuracy_m=8
        )
        alarm, _, _ = await service.raise_sos(db, who, data, clock(), ROUTING)
        recipients = await _recipients(db, alarm.id)
        again, created, _ = await service.raise_sos(db, who, data, clock() + timedelta(seconds=5), ROUTING)
    assert alarm.site_id == plant.org.site_a.id and alarm.area_id == plant.area.id and alarm.tier == 1
    assert alarm.raised_by == plant.people["guardian"].id and not created and again.id == alarm.id
    assert await _names(plant, recipients) == {"team_leader", "inspector", "safety_officer"}


def test_a_routing_file_that_sends_an_alarm_nowhere_is_refused():
    raw = msgspec.to_builtins(ROUTING)
    raw["kinds"]["new_kind"] = {"tier": 3, "label": {"zh-CN": "新"}}
    with pytest.raises(RoutingError, match="tier 3"):
        check(msgspec.convert(raw, Routing))
    raw = msgspec.to_builtins(ROUTING)
    raw["tiers"]["1"]["roles"] = ["guardian", "crane_operator"]
    with pytest.raises(RoutingError, match="crane_operator"):
        check(msgspec.convert(raw, Routing))
