"""Write the checked, merged ledger in one transaction: people, contractors, certificates,
assignments and the warnings due soon, in bulk."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.core.ids import uuid7
from backend.db.bulk import insert_syncable
from backend.jobs import service as jobs
from backend.ledger.check_part import CertRow, PersonRow
from backend.people import idnumber
from backend.people.models import Contractor, Person, RoleAssignment
from backend.workers import freeze_part, warnings_part
from backend.workers.certificates_part import apply_deadlines
from backend.workers.deadlines_part import lapse_reason, plan_deadlines, status_on
from backend.workers.models import Assignment, Certificate
from backend.workers.numbers_part import Ciphers, mask_number

CHUNK = 500
Tick = Callable[[int], None]


@dataclass
class PersonPlan:
    """One person after merging their rows: the kept values and their certificates."""

    id_number: str
    person: PersonRow
    certs: list[CertRow]


@dataclass
class Written:
    people_created: int = 0
    people_updated: int = 0
    contractors_created: int = 0
    certificates_created: int = 0
    certificates_updated: int = 0
    certificates_unchanged: int = 0
    assignments_created: int = 0
    timers_armed: int = 0
    kept_names: dict[str, str] = field(default_factory=dict)  # id number → name in the database


async def write(
    db: AsyncSession,
    catalog: Catalog,
    ciphers: Ciphers,
    plans: Sequence[PersonPlan],
    *,
    enterprise_id: uuid.UUID,
    import_id: uuid.UUID,
    now: datetime,
    today: date,
    tick: Tick,
) -> Written:
    out = Written()
    async with _big_cache(db):
        await _write(db, catalog, ciphers, plans, enterprise_id, import_id, now, today, tick, out)
    return out


@asynccontextmanager
async def _big_cache(db: AsyncSession) -> AsyncIterator[None]:
    """SQLite: a 128 MiB page cache for this connection while the import writes (the random-keyed
    blind indexes otherwise page in and out of the default 2 MiB), restored afterwards."""
    if db.get_bind().dialect.name != "sqlite":
        yield
        return
    before = (await db.execute(text("PRAGMA cache_size"))).scalar_one()
    await db.execute(text("PRAGMA cache_size=-131072"))
    try:
        yield
    finally:
        await db.execute(text(f"PRAGMA cache_size={int(before)}"))


async def _write(
    db: AsyncSession,
    catalog: Catalog,
    ciphers: Ciphers,
    plans: Sequence[PersonPlan],
    enterprise_id: uuid.UUID,
    import_id: uuid.UUID,
    now: datetime,
    today: date,
    tick: Tick,
    out: Written,
) -> None:
    firms = await _contractors(db, plans, enterprise_id, out)
    # Everything that already exists is looked up before the first insert: inside one long
    # transaction PostgreSQL's statistics still describe the tables as they were, so look-ups
    # interleaved with the inserts would turn into sequential scans of ever larger tables.
    known = await _known(db, ciphers, plans)
    for start in range(0, len(plans), CHUNK):
        chunk = plans[start : start + CHUNK]
        people = await _people(db, ciphers, chunk, firms, known.people, now, out)
        await _certificates(db, catalog, ciphers, chunk, people, known, import_id, now, today, out)
        tick(sum(max(1, len(p.certs)) for p in chunk))


@dataclass
class Known:
    """What the database already holds for the ledger's people."""

    people: dict[str, Person] = field(default_factory=dict)  # id number → person
    certificates: dict[tuple[uuid.UUID, str], Certificate] = field(default_factory=dict)
    assignments: set[tuple[uuid.UUID, str]] = field(default_factory=set)


async def _known(db: AsyncSession, ciphers: Ciphers, plans: Sequence[PersonPlan]) -> Known:
    known = Known()
    index = {ciphers.id_number.blind_index(p.id_number): p.id_number for p in plans}
    keys = list(index)
    for start in range(0, len(keys), CHUNK):
        rows = await db.scalars(select(Person).where(Person.id_number_index.in_(keys[start : start + CHUNK])))
        known.people.update({index[p.id_number_index]: p for p in rows})
    ids = [p.id for p in known.people.values()]
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        for c in await db.scalars(select(Certificate).where(Certificate.person_id.in_(part))):
            known.certificates[(c.person_id, c.item_key)] = c
        found = await db.execute(
            select(Assignment.person_id, Assignment.item_key).where(Assignment.person_id.in_(part))
        )
        known.assignments.update((pid, key) for pid, key in found)
    return known


async def _contractors(
    db: AsyncSession, plans: Sequence[PersonPlan], enterprise_id: uuid.UUID, out: Written
) -> dict[str, uuid.UUID]:
    wanted = {p.person.new_contractor for p in plans if p.person.new_contractor}
    firms: dict[str, uuid.UUID] = {}
    for name, code in sorted(wanted):
        if code in firms:
            continue
        existing = await db.scalar(select(Contractor).where(Contractor.credit_code == code))
        if existing is None:
            existing = Contractor(name=name, credit_code=code, enterprise_id=enterprise_id)
            db.add(existing)
            await db.flush()
            out.contractors_created += 1
        firms[code] = existing.id
    return firms


async def _people(
    db: AsyncSession,
    ciphers: Ciphers,
    chunk: Sequence[PersonPlan],
    firms: dict[str, uuid.UUID],
    known: dict[str, Person],
    now: datetime,
    out: Written,
) -> dict[str, Person | PersonRef]:
    """The chunk's people by ID number: existing ones updated, the others created in bulk."""
    existing: dict[str, Person | PersonRef] = {
        p.id_number: known[p.id_number] for p in chunk if p.id_number in known
    }
    new_rows: list[dict[str, Any]] = []
    grants: list[dict[str, Any]] = []
    for plan in chunk:
        p = plan.person
        contractor = firms.get(p.new_contractor[1]) if p.new_contractor else p.contractor_id
        person = existing.get(plan.id_number)
        if isinstance(person, Person):
            out.kept_names[plan.id_number] = person.name
            changed = False
            if p.phone and not person.phone:
                person.phone, changed = p.phone, True
            if contractor and person.contractor_id != contractor:
                person.contractor_id, changed = contractor, True
            out.people_updated += changed
            continue
        pid = uuid7()
        new_rows.append(
            {
                "id": pid,
                "name": p.name,
                "id_number_enc": ciphers.id_number.encrypt(plan.id_number),
                "id_number_index": ciphers.id_number.blind_index(plan.id_number),
                "id_number_masked": idnumber.mask(plan.id_number),
                "phone": p.phone,
                "unit_id": p.unit_id,
                "unit_path": p.unit_path,
                "contractor_id": contractor,
                "employment": "active",
                "left_at": None,
                "webauthn_user_id": os.urandom(32),
                "locale": "zh-CN",
            }
        )
        grants.append({"person_id": pid, "role": "worker", "scope_id": p.unit_id, "scope_path": p.unit_path})
    if new_rows:
        await insert_syncable(db, Person, new_rows, now, "unit_path")
        await insert_syncable(db, RoleAssignment, grants, now, "scope_path")
        out.people_created += len(new_rows)
        for plan, row in zip([p for p in chunk if p.id_number not in existing], new_rows, strict=True):
            existing[plan.id_number] = PersonRef(row["id"], row["unit_path"], "active")
    return existing


@dataclass(frozen=True)
class PersonRef:
    """A person just inserted in bulk: what writing their certificates needs."""

    id: uuid.UUID
    unit_path: str
    employment: str


async def _certificates(
    db: AsyncSession,
    catalog: Catalog,
    ciphers: Ciphers,
    chunk: Sequence[PersonPlan],
    people: dict[str, Person | PersonRef],
    known: Known,
    import_id: uuid.UUID,
    now: datetime,
    today: date,
    out: Written,
) -> None:
    held = known.certificates
    assigned = known.assignments
    new_certs: list[dict[str, Any]] = []
    new_assignments: list[dict[str, Any]] = []
    touched: list[Certificate] = []
    for plan in chunk:
        person = people[plan.id_number]
        active = person.employment == "active"
        for c in plan.certs:
            if (person.id, c.item.key) not in assigned:
                assigned.add((person.id, c.item.key))
                new_assignments.append(
                    {
                        "person_id": person.id,
                        "scope_path": person.unit_path,
                        "item_key": c.item.key,
                        "assigned_on": today,
                    }
                )
            current = held.get((person.id, c.item.key))
            if current is not None:
                if c.valid_until > current.valid_until or (
                    c.last_reviewed_on and (current.last_reviewed_on or date.min) < c.last_reviewed_on
                ):
                    _update(current, c, ciphers, catalog, today, active, import_id)
                    touched.append(current)
                    out.certificates_updated += 1
                else:
                    out.certificates_unchanged += 1
                continue
            d = plan_deadlines(catalog, c.item.family, c.issued_on, c.valid_until, c.last_reviewed_on)
            row = {
                "id": uuid7(),
                "person_id": person.id,
                "scope_path": person.unit_path,
                "family": c.item.family,
                "scheme": c.item.scheme,
                "item_key": c.item.key,
                "item_limit": c.item_limit,
                "number_enc": ciphers.cert_number.encrypt(c.number),
                "number_index": ciphers.cert_number.blind_index(c.number),
                "number_masked": mask_number(c.number),
                "issuing_authority": c.authority,
                "first_issued_on": c.first_issued_on or c.issued_on,
                "issued_on": c.issued_on,
                "valid_until": c.valid_until,
                "last_reviewed_on": c.last_reviewed_on,
                "review_failed_on": None,
                "review_extended": False,
                "review_due_on": d.review_due_on,
                "deadline_on": d.deadline_on,
                "deadline_kind": d.deadline_kind,
                "window_opens_on": d.window_opens_on,
                "revoked_at": None,
                "revoked_reason": None,
                "photos": [],
                "import_id": import_id,
            }
            row["status"] = status_on(_Dates(row), today, active, catalog.policy)  # type: ignore[arg-type]
            new_certs.append(row)
    if new_certs:
        await insert_syncable(db, Certificate, new_certs, now, "scope_path")
        out.certificates_created += len(new_certs)
    if new_assignments:
        await insert_syncable(db, Assignment, new_assignments, now, "scope_path")
        out.assignments_created += len(new_assignments)
    await db.flush()
    by_person = {p.id: p for p in people.values()}
    armable = [
        (r["id"], r["deadline_on"]) for r in new_certs if by_person[r["person_id"]].employment != "left"
    ]
    timers = warnings_part.timer_rows(armable, catalog.policy, now)
    await jobs.schedule_many(db, timers, now=now)
    out.timers_armed += len(timers)
    for cert in touched:
        person = by_person[cert.person_id]
        if not isinstance(person, Person) or person.employment == "left":
            continue
        await warnings_part.arm(db, [cert], catalog, now)
        if lapse_reason(cert, today) is None:
            await freeze_part.lift_for_certificate(db, person, cert, "台账导入：证书有效", now)


def _update(
    cert: Certificate,
    c: CertRow,
    ciphers: Ciphers,
    catalog: Catalog,
    today: date,
    active: bool,
    import_id: uuid.UUID,
) -> None:
    cert.issued_on, cert.valid_until = c.issued_on, c.valid_until
    cert.last_reviewed_on = c.last_reviewed_on
    cert.review_failed_on = None
    if c.first_issued_on:
        cert.first_issued_on = c.first_issued_on
    if c.authority:
        cert.issuing_authority = c.authority
    cert.number_enc = ciphers.cert_number.encrypt(c.number)
    cert.number_index = ciphers.cert_number.blind_index(c.number)
    cert.number_masked = mask_number(c.number)
    cert.import_id = import_id
    apply_deadlines(cert, catalog, today, active)


class _Dates:
    """A dict row seen through the attribute names the status rules read."""

    def __init__(self, row: dict[str, Any]):
        self.__dict__.update(row)
