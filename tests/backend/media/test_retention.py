"""Face templates past their retention date are deleted by the daily job, which re-arms itself."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from backend.db.engine import transaction
from backend.jobs.models import Timer
from backend.jobs.registry import HANDLERS
from backend.jobs.scheduler import Scheduler
from backend.media import jobs
from backend.media.faces_part import seal
from backend.media.models import FaceTemplate
from tests.factories import make_person


async def test_the_daily_job_deletes_expired_templates_only(sessionmaker, settings, org, clock):
    async with transaction(sessionmaker) as db:
        old = await make_person(db, settings.secret_key, org.team_a, "赵铁柱")
        fresh = await make_person(db, settings.secret_key, org.team_a, "钱小兵")
        for person, days in ((old, 1), (fresh, 300)):
            db.add(
                FaceTemplate(
                    person_id=person.id,
                    engine="dlib",
                    template_enc=seal(settings, np.zeros(128, np.float32)),
                    created_at=clock(),
                    expires_at=clock() + timedelta(days=days),
                )
            )
        await jobs.seed(db, clock())
    clock.advance(days=2)
    scheduler = Scheduler(sessionmaker, clock, "sched-media", HANDLERS, seeds=(), settings=settings)
    await scheduler.run_once()
    async with transaction(sessionmaker) as db:
        left = list(await db.scalars(select(FaceTemplate.person_id)))
        assert left == [fresh.id]
        due = await db.scalars(select(Timer.due_at).where(Timer.kind == jobs.KIND, Timer.status == "pending"))
        assert [d - clock() for d in due] == [timedelta(days=1)]
