"""The scheduler that `tezuo serve` runs in the background hands its settings to timer handlers."""

from __future__ import annotations

import asyncio

import msgspec

from backend.background import running
from backend.db.engine import transaction
from backend.jobs import service
from backend.workers.scan_part import SCAN


async def test_serve_scheduler_runs_a_handler_that_needs_settings(sessionmaker, settings, clock):
    """`workers.daily_scan` reads the catalogue from the settings; without them it failed every day."""
    day = clock().date().isoformat()
    async with transaction(sessionmaker) as db:
        await service.schedule(db, SCAN, clock(), {"day": day, "since": None}, f"test-scan:{day}")

    background = msgspec.structs.replace(settings, run_background=True)
    async with running(background, sessionmaker, clock):
        for _ in range(100):
            async with sessionmaker() as db:
                timer = await service.get(db, f"test-scan:{day}")
            assert timer is not None
            if timer.status not in ("pending", "running") or timer.last_error:
                break
            await asyncio.sleep(0.1)

    assert (timer.status, timer.last_error) == ("done", None)
