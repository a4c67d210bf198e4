"""The demo plant's certificates: each worker's trade needs items of the three families, with a
realistic spread of states relative to the day the demo is loaded (valid, review due soon,
expiring within 90 and 30 days, expired, lapsed > 90 days, and assigned without any)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.catalog.service import catalog_for, local_date, rule_at
from backend.config import Settings
from backend.db.bulk import insert_syncable
from backend.demo.org_layout import CONTRACTORS, WORKSHOPS
from backend.demo.records import DemoPlan
from backend.ledger.check_part import CertRow, PersonRow
from backend.ledger.generate import certificate_number
from backend.ledger.write_part import PersonPlan, write
from backend.org.models import OrgUnit
from backend.people.models import Person
from backend.workers.deadlines_part import add_years
from backend.workers.models import Assignment, Certificate
from backend.workers.numbers_part import Ciphers, ciphers_for

# 工种 → the operation items the job needs (a few trades need none).
TRADE_ITEMS: dict[str, tuple[str, ...]] = {
    "焊工": ("mem:02-01",),
    "电工": ("mem:01-02",),
    "仪表工": ("mem:09-16",),
    "起重工": ("samr:Q2", "samr:Q1"),
    "司炉工": ("samr:G1",),
    "钳工": ("mem:03-02",),
    "储运操作工": ("samr:R2",),
    "仓库保管员": ("samr:N1",),
    "装卸工": ("samr:N1",),
    "焚烧炉操作工": ("samr:G1",),
    "管工": ("mem:02-01",),
    "防腐保温工": ("mem:03-01", "mohurd:02"),
    "储罐清洗工": ("mem:03-02",),
}
# The demo welder (李强) also works at height, so the permit walk-through can use either type.
DEMO_WELDER_EXTRA = ("mem:03-02",)
# 化工操作工 need the certificate of their workshop's hazardous process (危险化学品安全作业).
PROCESS_ITEMS = {"NJ1-PLY": "mem:09-14", "NJ1-DST": "mem:09-08"}
AUTHORITIES = {
    "mem": ("江苏省应急管理厅", "南京市应急管理局"),
    "mohurd": ("江苏省住房和城乡建设厅",),
    "samr": ("南京市市场监督管理局",),
}
# (share, days from today to the deadline: low, high) — the states a manager should see.
SPREAD = (
    (0.03, None, None),  # assigned, never certified: a shadow operator
    (0.03, -400, -91),  # lapsed more than 90 days: a shadow operator
    (0.04, -90, -1),  # expired recently: frozen at T-0
    (0.05, 0, 30),  # T-30: HR retraining task
    (0.08, 31, 90),  # T-90: workshop reminder
)


@dataclass(frozen=True)
class DemoCertificate:
    id_number: str
    item_key: str
    issued_on: date
    valid_until: date
    last_reviewed_on: date | None
    authority: str


@dataclass(frozen=True)
class DemoAssignment:
    id_number: str
    item_key: str


def _team_trades() -> dict[str, str]:
    trades = {f"{ws}-{suffix}": trade for _s, ws, _n, teams in WORKSHOPS for suffix, _t, trade in teams}
    return trades


def items_for(
    person_title: str, unit_code: str, contractor: str | None, trades: dict[str, str]
) -> tuple[str, ...]:
    """What this person's job needs: their own trade, else their team's (guardians, leaders)."""
    trade = person_title.split("·")[-1]
    if trade not in TRADE_ITEMS and trade != "化工操作工":
        trade = trades.get(unit_code, "")
    if trade == "化工操作工":
        return (PROCESS_ITEMS[unit_code[:7]],) if unit_code[:7] in PROCESS_ITEMS else ()
    return TRADE_ITEMS.get(trade, ())


def plan_certificates(
    plan: DemoPlan, catalog: Catalog, today: date, seed: int = 11643
) -> tuple[list[DemoCertificate], list[DemoAssignment]]:
    rng = random.Random(seed)
    trades = _team_trades()
    contractor_trades = {
        credit: trade
        for (_n, _r, _t, trade), credit in zip(
            CONTRACTORS, [c.credit_code for c in plan.contractors], strict=True
        )
    }
    worker_account = next(a.id_number for a in plan.accounts if a.role == "worker")
    certs: list[DemoCertificate] = []
    assignments: list[DemoAssignment] = []
    for person in plan.workers():
        title = contractor_trades.get(person.contractor or "", person.title)
        keys = items_for(title, person.unit_code, person.contractor, trades)
        if person.id_number == worker_account:
            keys += DEMO_WELDER_EXTRA
        for key in keys:
            assignments.append(DemoAssignment(person.id_number, key))
            drawn: int | None = _draw(rng, catalog, key, today)
            if person.id_number == worker_account:  # renewal due in six weeks; the height card is fresh
                drawn = 900 if key in DEMO_WELDER_EXTRA else 45
            if drawn is None:
                continue
            days = drawn
            item = catalog.items[key]
            years = rule_at(catalog, item.family, today).validity_years
            until = today + timedelta(days=days)
            issued = add_years(until, -years)
            interval = rule_at(catalog, item.family, issued).review_interval_years
            reviewed = None
            if interval and add_years(issued, interval) < today - timedelta(days=30):
                reviewed = add_years(issued, interval) - timedelta(days=rng.randint(10, 50))
            certs.append(
                DemoCertificate(
                    person.id_number, key, issued, until, reviewed, rng.choice(AUTHORITIES[item.family])
                )
            )
    return certs, assignments


def _draw(rng: random.Random, catalog: Catalog, key: str, today: date) -> int | None:
    """Days from today to the end of validity; None: no certificate at all."""
    roll, acc = rng.random(), 0.0
    for share, low, high in SPREAD:
        acc += share
        if roll < acc:
            return None if low is None or high is None else rng.randint(low, high)
    years = rule_at(catalog, catalog.items[key].family, today).validity_years
    return rng.randint(91, years * 365 - 30)


async def install_certificates(db: AsyncSession, settings: Settings, plan: DemoPlan, now: datetime) -> int:
    """Write the demo certificates once (the ledger importer's bulk path); returns how many."""
    people = await db.scalars(
        select(Person.id).join(Certificate, Certificate.person_id == Person.id).limit(1)
    )
    if people.first() is not None:
        return 0
    catalog = catalog_for(settings)
    ciphers = ciphers_for(settings.secret_key)
    today = local_date(now, catalog.policy)
    certs, assignments = plan_certificates(plan, catalog, today)
    rng = random.Random(32100)
    by_person: dict[str, list[CertRow]] = {}
    for n, c in enumerate(certs):
        item = catalog.items[c.item_key]
        by_person.setdefault(c.id_number, []).append(
            CertRow(
                row=n + 2,
                item=item,
                number=certificate_number(rng, item, c.id_number, c.issued_on),
                authority=c.authority,
                first_issued_on=c.issued_on,
                issued_on=c.issued_on,
                valid_until=c.valid_until,
                last_reviewed_on=c.last_reviewed_on,
                item_limit=None,
            )
        )
    index = {ciphers.id_number.blind_index(number): number for number in by_person}
    rows = await db.scalars(select(Person).where(Person.id_number_index.in_(list(index))))
    found = {index[p.id_number_index]: p for p in rows}
    plans = [
        PersonPlan(number, _existing_row(found[number]), cert_rows)
        for number, cert_rows in by_person.items()
        if number in found
    ]
    enterprise = await db.scalar(select(OrgUnit.id).where(OrgUnit.code == plan.enterprise.code))
    assert enterprise is not None
    await write(
        db, catalog, ciphers, plans, enterprise_id=enterprise, import_id=enterprise, now=now, today=today,
        tick=lambda n: None,
    )  # fmt: skip
    await _uncertified(db, assignments, certs, ciphers, now, today)
    return len(certs)


def _existing_row(person: Person) -> PersonRow:
    return PersonRow(0, person.name, "", None, person.unit_id, person.unit_path, None, None)


async def _uncertified(
    db: AsyncSession,
    assignments: list[DemoAssignment],
    certs: list[DemoCertificate],
    ciphers: Ciphers,
    now: datetime,
    today: date,
) -> None:
    """Assignments without any certificate: the demo's never-certified shadow operators."""
    held = {(c.id_number, c.item_key) for c in certs}
    missing = [a for a in assignments if (a.id_number, a.item_key) not in held]
    if not missing:
        return
    index = {ciphers.id_number.blind_index(a.id_number): a.id_number for a in missing}
    found = await db.scalars(select(Person).where(Person.id_number_index.in_(list(index))))
    people = {index[p.id_number_index]: p for p in found}
    rows = [
        {
            "person_id": people[a.id_number].id,
            "scope_path": people[a.id_number].unit_path,
            "item_key": a.item_key,
            "assigned_on": today,
        }
        for a in missing
        if a.id_number in people
    ]
    await insert_syncable(db, Assignment, rows, now, "scope_path")
