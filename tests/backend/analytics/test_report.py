"""The monthly PDF is drawn in a worker thread: the event loop keeps answering while it renders."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from backend.analytics import report
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
    served: Any, month: Month, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing: the drawing waits until the server has answered another request. Drawn on the
    event loop, that answer could never come (the wait gives up after 30 s and the test fails)."""
    if cjk_font() is None:
        pytest.skip("no CJK font on this machine (test_api checks the 503 problem)")
    loop_thread = threading.get_ident()
    began, answered = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}
    draw = report.render

    def observed(data: Any, font: Any) -> bytes:  # the real drawing, watched: where, and what the loop did
        seen["thread"] = threading.get_ident()
        began.set()
        seen["answered_meanwhile"] = answered.wait(30)
        return draw(data, font)

    monkeypatch.setattr(report, "render", observed)
    client = await served(month.people["boss"])  # uvicorn on 127.0.0.1 in this test's loop
    params = {"unit_id": str(month.org.enterprise.id), "since": SINCE.isoformat(), "until": UNTIL.isoformat()}
    pdf = asyncio.create_task(client.get("/api/analytics/report.pdf", params=params))
    assert await asyncio.to_thread(began.wait, 60), "the report never started drawing"
    health = await client.get("/api/health")  # while the drawing is held
    answered.set()
    r = await pdf
    assert health.status_code == 200
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert seen["thread"] != loop_thread and seen["answered_meanwhile"], seen
