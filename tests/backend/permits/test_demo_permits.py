"""`tezuo demo` adds permits in several states, detectors on the hazardous areas and an edge token."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.demo.plant import load_demo
from backend.gas.models import GasDetector
from backend.permits.models import Notification, Permit


async def test_demo_permits_cover_the_lifecycle(settings, sessionmaker, capsys) -> None:
    assert await load_demo(settings) == 0
    assert "edge-node token" in capsys.readouterr().out
    async with sessionmaker() as db:
        statuses = set(await db.scalars(select(Permit.status)))
        assert statuses == {"draft", "submitted", "approved", "active", "closed", "cancelled"}
        assert (await db.scalar(select(func.count()).select_from(GasDetector))) > 0
        epermits = select(func.count()).select_from(Notification).where(Notification.kind == "epermit")
        pushed = await db.scalar(epermits)
        assert pushed and pushed > 0
    assert await load_demo(settings) == 0  # idempotent: no second set of permits
    assert "edge-node token" not in capsys.readouterr().out
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(Permit)) == 6
