"""Jobs test fixtures: a scheduler factory whose handlers record what fired."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Until backend/db/models.py imports it, register the jobs tables with Base.metadata here, so
# the per-test cleanup empties them too.
import backend.jobs.models  # noqa: F401
from backend.jobs.registry import JobContext
from backend.jobs.scheduler import Scheduler


class Recorder:
    """Handlers for tests: `ok` records each run, `boom` always raises."""

    def __init__(self) -> None:
        self.runs: list[str] = []

    async def ok(self, ctx: JobContext) -> None:
        self.runs.append(ctx.timer.dedupe_key)

    async def boom(self, ctx: JobContext) -> None:
        self.runs.append(ctx.timer.dedupe_key)
        raise RuntimeError("gas detector offline")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_scheduler(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Any, recorder: Recorder
) -> Callable[..., Scheduler]:
    def make(owner: str = "sched-a", **kwargs: Any) -> Scheduler:
        handlers = kwargs.pop("handlers", {"test.ok": recorder.ok, "test.boom": recorder.boom})
        return Scheduler(sessionmaker, clock, owner, handlers, seeds=kwargs.pop("seeds", ()), **kwargs)

    return make
