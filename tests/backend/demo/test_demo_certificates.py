"""The demo plant's certificates: three families, every state a manager should see."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from backend.catalog.service import load_catalog
from backend.demo.certificates import plan_certificates
from backend.demo.plan import plan_demo
from backend.demo.plant import load_demo
from backend.jobs.models import Timer
from backend.workers.models import Assignment, Certificate
from backend.workers.scan_part import shadow_operators

CATALOG = load_catalog(None)
TODAY = date(2026, 11, 28)


def test_the_plan_spreads_certificates_over_every_state() -> None:
    plan = plan_demo()
    certs, assignments = plan_certificates(plan, CATALOG, TODAY)
    assert certs == plan_certificates(plan, CATALOG, TODAY)[0]  # deterministic
    families = Counter(CATALOG.items[c.item_key].family for c in certs)
    assert (
        set(families) == {"mem", "mohurd", "samr"} and families["mem"] > families["samr"] > families["mohurd"]
    )
    days = [(c.valid_until - TODAY).days for c in certs]
    assert sum(d < -90 for d in days) >= 5  # lapsed > 90 days: shadow operators
    assert sum(-90 <= d < 0 for d in days) >= 5
    assert sum(0 <= d <= 30 for d in days) >= 5
    assert sum(30 < d <= 90 for d in days) >= 10
    assert sum(d > 90 for d in days) > len(days) * 0.7
    held = {(c.id_number, c.item_key) for c in certs}
    assert sum((a.id_number, a.item_key) not in held for a in assignments) >= 5  # never certified
    welder = next(a.id_number for a in plan.accounts if a.role == "worker")
    mine = {c.item_key: (c.valid_until - TODAY).days for c in certs if c.id_number == welder}
    assert mine == {"mem:02-01": 45, "mem:03-02": 900}  # welding countdown; also works at height


async def test_loaded_demo_has_certificates_shadows_and_armed_warnings(settings, sessionmaker) -> None:
    assert await load_demo(settings, print_links=False) == 0
    async with sessionmaker() as db:
        statuses = Counter((await db.scalars(select(Certificate.status))).all())
        assert {"valid", "review_due", "expired", "shadow"} <= set(statuses)
        assert await db.scalar(select(func.count()).select_from(Assignment)) > sum(statuses.values())
        shadows = await shadow_operators(db, CATALOG)
        assert {s.reason for s in shadows} >= {"no_certificate", "shadow"}
        soon = await db.scalar(
            select(func.count()).select_from(Timer).where(Timer.kind == "workers.certificate_warning")
        )
        assert soon and soon > 0
