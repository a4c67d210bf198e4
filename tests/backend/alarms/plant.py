"""A small plant for alarm tests: one site with an area, the people alarms route to, an edge node."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.auth.models import Device
from backend.auth.principal import Principal
from backend.auth.service import principal_of
from backend.config import Settings
from backend.db.engine import transaction
from backend.devices.service import create_device
from backend.org.models import Area
from backend.people.models import Person
from tests.factories import Org, make_org, make_person

# Plan pixels and WGS-84 corners of the area (the site's origin at 31.2300 N, 121.4700 E).
AREA_PLAN = [[100, 100], [300, 100], [300, 250], [100, 250]]
AREA_GPS = [[121.4710, 31.2290], [121.4731, 31.2290], [121.4731, 31.2277], [121.4710, 31.2277]]


@dataclass
class Plant:
    org: Org
    area: Area
    people: dict[str, Person]
    edge: Device
    edge_token: str
    wearable: Device
    wearable_token: str

    async def principal(self, db: AsyncSession, name: str) -> Principal:
        return await principal_of(db, self.people[name])


async def make_plant(db: AsyncSession, secret: bytes, now: datetime) -> Plant:
    org = await make_org(db)
    area = Area(
        site_id=org.site_a.id,
        workshop_id=org.workshop_a.id,
        code="SA-A1",
        name="聚合装置区",
        hazard_class="fire_class_a",
        plan_polygon=AREA_PLAN,
        gps_polygon=AREA_GPS,
        escape_route=[],
        scope_path=org.site_a.path,
    )
    db.add(area)
    roles = {
        "guardian": (org.team_a, [("guardian", org.team_a)]),
        "team_leader": (org.team_a, [("team_leader", org.team_a)]),
        "inspector": (org.site_a, [("inspector", org.site_a)]),
        "safety_officer": (org.site_a, [("safety_officer", org.site_a)]),
        "director": (org.workshop_a, [("workshop_director", org.workshop_a)]),
        "vice_president": (org.enterprise, [("vice_president", org.enterprise)]),
        "worker": (org.team_a, [("worker", org.team_a)]),
        "guardian_b": (org.team_b, [("guardian", org.team_b)]),
        "safety_officer_b": (org.site_b, [("safety_officer", org.site_b)]),
    }
    people = {
        name: await make_person(db, secret, unit, name, grants) for name, (unit, grants) in roles.items()
    }
    edge, edge_token = await create_device(
        db, kind="edge", name="边缘节点 A1", site=org.site_a, person_id=None, now=now
    )
    band, band_token = await create_device(
        db, kind="wearable", name="手环 07", site=org.site_a, person_id=people["worker"].id, now=now
    )
    await db.flush()
    return Plant(org, area, people, edge, edge_token, band, band_token)


@pytest_asyncio.fixture
async def plant(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: object) -> Plant:
    async with transaction(sessionmaker) as db:
        return await make_plant(db, settings.secret_key, clock())  # type: ignore[operator]


def device_headers(token: str, at: datetime, *, nonce: str | None = None) -> dict[str, str]:
    """What an edge node sends with every request (docs/alarms.md "Device requests")."""
    return {
        "authorization": f"Bearer {token}",
        "x-tezuo-timestamp": f"{at.timestamp():.3f}",
        "x-tezuo-nonce": nonce or secrets.token_urlsafe(16),
    }


def alarm_body(kind: str = "person_under_load", **extra: object) -> dict[str, object]:
    return {
        "alarm_id": str(uuid.uuid4()),
        "kind": kind,
        "raised_at": "2026-11-28T08:00:00+00:00",
        "area_code": "SA-A1",
        "message": "3号摄像头",
        **extra,
    }
