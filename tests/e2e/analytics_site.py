"""A site of its own for the analytics page test (E2E-S3, so no other e2e test sees its records):
four hot-work permits (one ran past its validity 3 days ago; two are 20 days old) and behaviour
alarms, written into the served database. Run as `python -m tests.e2e.analytics_site`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
from backend.alarms.models import Alarm
from backend.config import load_settings
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.org.models import Area, OrgUnit
from backend.org.service import create_unit
from backend.people import service as people
from backend.permits.models import Permit
from tests.factories import id_number

# number → (days ago, hours over valid_until)
PERMITS = {"AN-1": (3, 1.0), "AN-2": (3, -1.0), "AN-3": (20, -1.0), "AN-4": (20, -2.0)}


async def main() -> None:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    now = datetime.now(UTC)
    async with transaction(make_sessionmaker(engine)) as db:
        ent = await db.scalar(select(OrgUnit).where(OrgUnit.code == "E2E"))
        site = await create_unit(db, "site", "E2E-S3", "三号厂区", ent)
        ws = await create_unit(db, "workshop", "E2E-W3", "储运车间", site)
        team = await create_unit(db, "team", "E2E-T3", "储运一班", ws)
        leader = await people.create_person(
            db, people.id_cipher(settings.secret_key), name="韩班长", id_number=id_number("110105"), unit=team
        )
        area = Area(
            site_id=site.id,
            workshop_id=ws.id,
            code="E2E-A3",
            name="罐区",
            hazard_class="fire_class_a",
            plan_polygon=[[0, 0], [200, 0], [200, 200], [0, 200]],
            scope_path=ws.path,
        )
        db.add(area)
        await db.flush()
        for number, (days, over) in PERMITS.items():
            start = now - timedelta(days=days, hours=6)
            db.add(
                Permit(
                    number=number,
                    work_type="hot_work",
                    grade="2",
                    status="closed",
                    site_id=site.id,
                    workshop_id=ws.id,
                    area_id=area.id,
                    scope_path=ws.path,
                    applicant_id=leader.id,
                    operator_ids=[],
                    content="动火作业",
                    planned_start=start,
                    planned_end=start + timedelta(hours=4),
                    valid_until=start + timedelta(hours=4),
                    submitted_at=start - timedelta(hours=2),
                    approved_at=start - timedelta(hours=1),
                    started_at=start,
                    completed_at=start + timedelta(hours=4 + over),
                )
            )
        for k in range(3):
            at = now - timedelta(days=2 + k, hours=3)
            db.add(
                Alarm(
                    source="edge",
                    kind="no_helmet",
                    tier=2,
                    site_id=site.id,
                    area_id=area.id,
                    scope_path=ws.path,
                    state="resolved",
                    raised_at=at,
                    received_at=at,
                    response_seconds=40.0 + 10 * k,
                    x=60,
                    y=60,
                    detail={"work_type": "hot_work"},
                )
            )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
