"""The monthly PDF is drawn in a worker thread: the event loop keeps answering while it renders."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest

from backend.analytics import report, service
from backend.analytics.service import Query
from backend.auth.service import principal_of
from backend.db.engine import transaction
from backend.permits.pdf import cjk_font
from tests.backend.alarms.served import served
from tests.backend.analytics.month import NOW, SINCE, UNTIL, Month, make_month

__all__ = ["served"]  # the fixture


@pytest.fixture
async def month(sessionmaker: Any, settings: Any, clock: Any) -> Month:
    clock.now = NOW
    async with transaction(sessionmaker) as db:
        return await make_month(db, settings.secret_key)


async def test_the_loop_keeps_answering_while_the_report_renders(
    served: Any, month: Month, sessionmaker: Any
) -> None:
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (test_api checks the 503 problem)")
    async with transaction(sessionmaker) as db:
        boss = await principal_of(db, month.people["boss"])
        scope = await service.open_scope(db, boss, Query(month.org.enterprise.id, SINCE, UNTIL), NOW)
        data = await report.gather(db, scope, timedelta(hours=8), (20, 6))
    started = time.perf_counter()
    report.render(data, font)  # the drawing alone, on this machine, blocking
    alone = time.perf_counter() - started

    client = await served(month.people["boss"])  # uvicorn on 127.0.0.1 in this test's loop
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.002)
            gaps.append(time.perf_counter() - last)
            last = time.perf_counter()

    ticker = asyncio.create_task(tick())
    params = {"unit_id": str(month.org.enterprise.id), "since": SINCE.isoformat(), "until": UNTIL.isoformat()}
    t = time.perf_counter()
    r = await client.get("/api/analytics/report.pdf", params=params)
    took = time.perf_counter() - t
    done.set()
    await ticker
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # Drawn on the loop, one gap would be at least as long as the drawing; off it, the loop ticks
    # throughout (its gaps are GIL switches: short on an idle machine, longer under load, so the
    # bound is the drawing's own time rather than a fraction of it).
    assert took >= alone / 2, (took, alone)
    assert max(gaps) < alone, (max(gaps), alone)
    assert len(gaps) >= 10
