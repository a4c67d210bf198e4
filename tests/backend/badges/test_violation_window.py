"""The open-violation window counts back from the plant's local date, not the UTC date."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

import msgspec

from backend.badges.verify import Synced, load_trust_list, verify
from backend.db.engine import transaction
from backend.people.models import Person
from backend.workers import service as workers
from backend.workers.records_part import add_violation
from backend.workers.schemas import ViolationIn
from tests.backend.badges.test_api import _setup


async def test_violation_window_uses_the_plant_local_date(sessionmaker, settings, clock, client_as):
    # 17:00 UTC is 01:00 on 29 November in China: the window opens on 29 November 2025, so a
    # violation of 28 November 2025 (366 local days ago) is out and one of the 29th is in.
    clock.now = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    s = await _setup(sessionmaker, settings, clock)
    async with transaction(sessionmaker) as db:
        ctx = workers.context(db, settings, clock())
        assert ctx.today == date(2026, 11, 29)
        welder = await db.get(Person, s["welder"].id)
        assert welder is not None
        for day, what in ((date(2025, 11, 28), "未系安全带"), (date(2025, 11, 29), "未办票动火")):
            body = ViolationIn(occurred_on=day, severity="minor", description=what)
            await add_violation(ctx, welder, body)

    inspector = await client_as(s["inspector"])
    bundle = (await inspector.get("/api/badges/site")).json()
    synced = msgspec.convert(bundle["synced"], Synced)
    assert next(w.v for w in synced.workers if w.n == "张焊工") == 1
    code = (await (await client_as(s["welder"])).get("/api/badges/me/code")).json()["text"]
    trust = load_trust_list(base64.b64decode(bundle["trust_list"]), base64.b64decode(bundle["root"]))
    offline: Any = verify(code, trust, int(clock().timestamp()))
    assert offline.worker["violations"] == 1  # the count signed into the worker's own code
    online = (await inspector.post("/api/badges/verify", json={"code": code})).json()
    assert online["worker"]["violations"] == 1
    assert [r["code"] for r in online["reasons"]] == ["open_violations"]
