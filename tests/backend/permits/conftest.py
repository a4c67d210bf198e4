"""A small plant for permit tests: areas with plan + GPS polygons, approvers with B角, passkeys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.auth.models import Device
from backend.auth.service import issue_enrollment
from backend.config import Settings
from backend.db.engine import transaction
from backend.demo.site_geometry import to_lonlat
from backend.gas import service as gas
from backend.jobs.registry import HANDLERS
from backend.jobs.scheduler import Scheduler
from backend.org.models import Area, OrgUnit, SafetyFeature
from backend.people.models import Person
from backend.people.service import add_deputy
from backend.workers import service as workers
from tests.backend.auth.authenticator import SoftAuthenticator
from tests.backend.conftest import sibling
from tests.factories import Org, make_org, make_person

ORIGIN = (118.7385, 32.2585)
MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Monday 09:00 China time: no §5.1.1 upgrade


def rect(x0: int, y0: int, x1: int, y1: int) -> list[list[int]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def gps(poly: list[list[int]]) -> list[list[float]]:
    return [list(to_lonlat(ORIGIN, (p[0], p[1]))) for p in poly]


def location_of(x: float, y: float, accuracy: int = 5) -> dict[str, int]:
    lon, lat = to_lonlat(ORIGIN, (int(x), int(y)))
    return {"lat_e6": round(lat * 1e6), "lon_e6": round(lon * 1e6), "accuracy_m": accuracy}


@dataclass
class Actor:
    person: Person
    client: Any = None
    auth: SoftAuthenticator = field(default_factory=SoftAuthenticator)


@dataclass
class Plant:
    org: Org
    general: Area
    fire: Area
    confined: Area
    tl: Actor
    so: Actor
    so_deputy: Actor
    wd: Actor
    vp: Actor
    guardian: Actor
    w1: Actor
    w2: Actor
    inspector: Actor
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Any
    settings: Settings

    async def scheduler_tick(self) -> list[Any]:
        return await Scheduler(self.sessionmaker, self.clock, "test", HANDLERS, seeds=()).run_once()

    async def edge_token(self, area: Area, code: str = "GD-1", gas_name: str = "methane") -> str:
        async with transaction(self.sessionmaker) as db:
            device = Device(kind="edge", name="edge-1", site_id=area.site_id)
            db.add(device)
            await db.flush()
            await gas.register_detector(
                db, area, code, f"检测仪 {code}", gas_name, "fixed", device, area.scope_path
            )
            return await gas.issue_device_token(db, device)


def hot_work_request(plant: Plant, area: Area | None = None, **overrides: Any) -> dict[str, Any]:
    area = area or plant.general
    start = plant.clock() + timedelta(minutes=20)
    body: dict[str, Any] = {
        "work_type": "hot_work",
        "area_id": str(area.id),
        "content": "更换循环水管道法兰，电焊",
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(hours=4)).isoformat(),
        "guardian_id": str(plant.guardian.person.id),
        "operator_ids": [str(plant.w1.person.id), str(plant.w2.person.id)],
        "form": {
            "location_detail": "P-101 出口法兰",
            "fire_method": "电焊",
            "risk_identification": "火灾、灼烫、触电",
        },
        "facts": {},
        "submit": True,
    }
    body.update(overrides)
    return body


def centre(area: Area) -> dict[str, int]:
    xs = [p[0] for p in area.plan_polygon]
    ys = [p[1] for p in area.plan_polygon]
    return location_of(sum(xs) / len(xs), sum(ys) / len(ys))


async def decide(
    actor: Actor,
    permit_id: str,
    step: str,
    decision: str = "approve",
    location: dict[str, int] | None = None,
    comment: str = "",
) -> Any:
    """What the PWA does: fetch the canonical decision, sign its hash with the passkey, send both."""
    body = {"step": step, "decision": decision, "comment": comment, "location": location, "signed_at": "t"}
    opts = await actor.client.post(f"/api/permits/{permit_id}/decisions/options", json=body)
    assert opts.status_code == 200, opts.text
    signed = opts.json()
    credential = actor.auth.get(signed["options"])
    return await actor.client.post(
        f"/api/permits/{permit_id}/decisions",
        json={
            **body,
            "permit_version": signed["permit_version"],
            "content_sha256": signed["content_sha256"],
            "credential": credential,
        },
    )


async def _enroll(client: Any, code: str, auth: SoftAuthenticator) -> None:
    opts = (await client.post("/api/auth/enroll/options", json={"code": code})).json()
    res = await client.post(
        "/api/auth/enroll/verify",
        json={"challenge_id": opts["challenge_id"], "code": code, "credential": auth.create(opts["options"])},
    )
    assert res.status_code == 200, res.text


@pytest.fixture
async def plant(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any
) -> AsyncIterator[Plant]:
    clock.now = MONDAY_9
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        sk = settings.secret_key
        people = {
            "tl": await make_person(
                db, sk, org.team_a, "张海军", [("team_leader", org.team_a), ("worker", org.team_a)]
            ),
            "so": await make_person(db, sk, org.workshop_a, "孙志强", [("safety_officer", org.workshop_a)]),
            "so_deputy": await make_person(db, sk, org.workshop_a, "钱安全", [("inspector", org.workshop_a)]),
            "wd": await make_person(
                db, sk, org.workshop_a, "刘卫东", [("workshop_director", org.workshop_a)]
            ),
            "vp": await make_person(db, sk, org.enterprise, "赵国栋", [("vice_president", org.enterprise)]),
            "guardian": await make_person(
                db, sk, org.team_a, "吴建华", [("guardian", org.workshop_a), ("worker", org.team_a)]
            ),
            "w1": await make_person(db, sk, org.team_a, "李强", [("worker", org.team_a)]),
            "w2": await make_person(db, sk, org.team_a, "王焊", [("worker", org.team_a)]),
            "inspector": await make_person(db, sk, org.site_a, "郑伟", [("inspector", org.site_a)]),
        }
        await add_deputy(db, people["so"], people["so_deputy"], "safety_officer", org.workshop_a)
        # The welders hold the 熔化焊接与热切割作业 certificate that hot work needs (qualifications).
        ctx = workers.context(db, settings, clock())
        for key in ("w1", "w2"):
            holder = ctx.ciphers.id_number.decrypt(people[key].id_number_enc)
            issued = ctx.today - timedelta(days=100)
            cert = workers.CertificateInput(item_key="mem:02-01", number="T" + holder, issued_on=issued)
            await workers.add_certificate(ctx, people[key], cert)
        site: OrgUnit = org.site_a
        areas = {}
        for code, name, hazard, poly in (
            ("A-GEN", "循环水站", "general", rect(100, 100, 300, 200)),
            ("A-FIRE", "聚合装置区", "fire_class_a", rect(400, 100, 600, 200)),
            ("A-CS", "聚合釜R-101", "confined_space", rect(100, 300, 200, 400)),
        ):
            area = Area(
                site_id=site.id,
                workshop_id=org.workshop_a.id,
                code=code,
                name=name,
                hazard_class=hazard,
                plan_polygon=poly,
                gps_polygon=gps(poly),
                escape_route=[[200, 150], [200, 250], [50, 50]],
                scope_path=site.path,
            )
            db.add(area)
            areas[code] = area
        await db.flush()
        for kind, label, x, y in (
            ("extinguisher", "MFZ/ABC8 #1", 310, 150),
            ("extinguisher", "MFZ/ABC8 #9", 900, 900),
            ("assembly_point", "1号紧急集合点", 50, 52),
        ):
            db.add(
                SafetyFeature(
                    site_id=site.id, area_id=None, kind=kind, label=label, x=x, y=y, scope_path=site.path
                )
            )
        codes = {
            key: (await issue_enrollment(db, p.id, clock(), timedelta(hours=1)))[0]
            for key, p in people.items()
        }
    # One app for the whole plant, as one server; every actor has a client of their own (cookies).
    async with AsyncTestClient(app=create_app(settings, clock), base_url=settings.base_url) as running:
        actors = {}
        for key, person in people.items():
            actor = Actor(person=person, client=sibling(running))
            await _enroll(actor.client, codes[key], actor.auth)
            actors[key] = actor
        yield Plant(
            org=org,
            general=areas["A-GEN"],
            fire=areas["A-FIRE"],
            confined=areas["A-CS"],
            sessionmaker=sessionmaker,
            clock=clock,
            settings=settings,
            **actors,
        )
