"""Qualification fixtures: the HR/gate simulators on a real socket, settings pointing at them,
a scheduler with the real handlers, and a worker with a certificate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.service import local_date
from backend.config import Settings
from backend.db.engine import transaction
from backend.integrations.simulator import SimServer, SimState
from backend.jobs.registry import HANDLERS
from backend.jobs.scheduler import Scheduler
from backend.people.models import Person
from backend.workers import service
from backend.workers.deadlines_part import add_years
from backend.workers.models import Certificate

SECRET = b"webhook-test-secret"


@pytest.fixture
async def sim() -> AsyncIterator[SimServer]:
    server = SimServer(SimState(secret=SECRET))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def settings(settings: Settings, sim: SimServer) -> Settings:
    """The suite's settings, with the outside systems pointed at the simulators."""
    return msgspec.structs.replace(
        settings, hr_webhook_url=sim.hr_url, gate_url=sim.gate_url, integration_secret=SECRET
    )


@pytest.fixture
def make_scheduler(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Any, settings: Settings
) -> Callable[..., Scheduler]:
    """A fresh scheduler each call: a restart, as far as the timers are concerned."""
    counter = iter(range(1000))

    def make() -> Scheduler:
        return Scheduler(sessionmaker, clock, f"sched-{next(counter)}", HANDLERS, seeds=(), settings=settings)

    return make


async def drain(scheduler: Scheduler) -> list[Any]:
    """Fire everything due now, including what firing makes due (deliveries)."""
    fired = []
    while outcomes := await scheduler.run_once():
        fired += outcomes
    return fired


def today(settings: Settings, clock: Any) -> date:
    return local_date(clock(), service.catalog_for(settings).policy)


async def add_cert(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Any,
    person: Person,
    item_key: str = "mem:02-01",
    *,
    valid_for_days: int = 1000,
    years: int = 6,
    number: str | None = None,
) -> Certificate:
    """A certificate whose validity ends `valid_for_days` from today, issued `years` before that;
    a 特种作业 one has had its 3-yearly review when that fell due (so its next deadline is expiry)."""
    now_day = today(settings, clock)
    until = now_day + timedelta(days=valid_for_days)
    issued = add_years(until, -years)
    review = add_years(issued, 3)
    reviewed = review - timedelta(days=20) if item_key.startswith("mem:") and review < now_day else None
    async with transaction(sessionmaker) as db:
        ctx = service.context(db, settings, clock())
        holder = ctx.ciphers.id_number.decrypt(person.id_number_enc)
        data = service.CertificateInput(
            item_key=item_key,
            number=number or ("T" + holder if item_key.startswith("mem:") else "TS0000012345"),
            issued_on=issued,
            valid_until=until,
            issuing_authority="南京市应急管理局",
            last_reviewed_on=reviewed,
        )
        return await service.add_certificate(ctx, person, data)
