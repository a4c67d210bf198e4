"""Read models: certificates with their countdown, people in brief, the filtered ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.catalog.service import rule_at
from backend.org.models import OrgUnit
from backend.people.models import Contractor, Person
from backend.workers.deadlines_part import apply_by, lapse_reason
from backend.workers.models import Certificate, Freeze
from backend.workers.schemas import CertificateOut, FreezeOut, LedgerPage, LedgerRow, PersonBrief


def in_scopes(column: Any, scopes: list[str]) -> Any:
    """`column` starts with one of the scope paths (nothing matches an empty list)."""
    return or_(false(), *[column.startswith(p) for p in scopes])


@dataclass
class Directory:
    """Names of units and contractors, loaded once per request to label rows."""

    unit_names: dict[str, str]  # code → name
    contractor_names: dict[uuid.UUID, str]

    @classmethod
    async def load(cls, db: AsyncSession) -> Directory:
        units = dict((await db.execute(select(OrgUnit.code, OrgUnit.name))).all())
        firms = dict((await db.execute(select(Contractor.id, Contractor.name))).all())
        return cls(units, firms)

    def brief(self, person: Person) -> PersonBrief:
        codes = [c for c in person.unit_path.split("/") if c]
        return PersonBrief(
            id=person.id,
            name=person.name,
            id_number_masked=person.id_number_masked,
            unit_path=person.unit_path,
            unit_name=self.unit_names.get(codes[-1], codes[-1]) if codes else "",
            workshop_name=self.unit_names.get(codes[2], "") if len(codes) > 2 else "",
            contractor_id=person.contractor_id,
            contractor_name=self.contractor_names.get(person.contractor_id) if person.contractor_id else None,
            employment=person.employment,
        )


def certificate_out(
    cert: Certificate, catalog: Catalog, today: date, frozen_certs: set[uuid.UUID]
) -> CertificateOut:
    item = catalog.items.get(cert.item_key)
    family = catalog.families.get(cert.family)
    rule = rule_at(catalog, cert.family, cert.deadline_on)
    where = cert.issuing_authority or (family.issuer if family else "")
    return CertificateOut(
        id=cert.id,
        person_id=cert.person_id,
        family=cert.family,
        family_name=family.name if family else cert.family,
        scheme=cert.scheme,
        item_key=cert.item_key,
        item_name=item.name if item else cert.item_key,
        category_name=item.category_name if item else "",
        item_limit=cert.item_limit,
        number=cert.number_masked,
        issuing_authority=cert.issuing_authority,
        first_issued_on=cert.first_issued_on,
        issued_on=cert.issued_on,
        valid_until=cert.valid_until,
        last_reviewed_on=cert.last_reviewed_on,
        review_due_on=cert.review_due_on,
        deadline_on=cert.deadline_on,
        deadline_kind=cert.deadline_kind,
        window_opens_on=cert.window_opens_on,
        apply_by=apply_by(catalog, cert),
        days_left=(cert.deadline_on - today).days,
        status=cert.status,
        lapse=lapse_reason(cert, today),
        frozen=cert.id in frozen_certs,
        how_to_apply=rule.how_to_apply,
        how_to_apply_en=rule.how_to_apply_en,
        where_to_apply=where,
        query_site=family.query_site if family else "",
        photos=[f"/api/certificates/{cert.id}/photos/{name}" for name in cert.photos],
        version=cert.version,
    )


def freeze_out(f: Freeze) -> FreezeOut:
    return FreezeOut(
        id=f.id,
        reason=f.reason,
        item_key=f.item_key,
        certificate_id=f.certificate_id,
        frozen_at=f.frozen_at.isoformat(),
        lifted_at=f.lifted_at.isoformat() if f.lifted_at else None,
    )


async def frozen_certificates(db: AsyncSession, cert_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not cert_ids:
        return set()
    rows = await db.scalars(
        select(Freeze.certificate_id).where(Freeze.certificate_id.in_(cert_ids), Freeze.lifted_at.is_(None))
    )
    return {r for r in rows if r is not None}


@dataclass(frozen=True)
class LedgerFilter:
    statuses: tuple[str, ...] = ()
    family: str | None = None
    item_key: str | None = None
    unit_path: str | None = None  # a workshop (or any unit): its path prefix
    contractor_id: uuid.UUID | None = None
    expiring_within: int | None = None  # deadline within N days from today (not yet passed)
    q: str | None = None  # name contains
    employment: str | None = "active"


def ledger_query(f: LedgerFilter, scopes: list[str] | None, today: date) -> Any:
    query = (
        select(Certificate, Person)
        .join(Person, Person.id == Certificate.person_id)
        .where(Certificate.deleted_at.is_(None), Person.deleted_at.is_(None))
    )
    if scopes is not None:
        query = query.where(in_scopes(Certificate.scope_path, scopes))
    if f.statuses:
        query = query.where(Certificate.status.in_(f.statuses))
    if f.family:
        query = query.where(Certificate.family == f.family)
    if f.item_key:
        query = query.where(Certificate.item_key == f.item_key)
    if f.unit_path:
        query = query.where(Certificate.scope_path.startswith(f.unit_path))
    if f.contractor_id:
        query = query.where(Person.contractor_id == f.contractor_id)
    if f.expiring_within is not None:
        query = query.where(Certificate.deadline_on.between(today, today + timedelta(days=f.expiring_within)))
    if f.q:
        query = query.where(Person.name.contains(f.q, autoescape=True))
    if f.employment:
        query = query.where(Person.employment == f.employment)
    return query


async def ledger_page(
    db: AsyncSession,
    catalog: Catalog,
    f: LedgerFilter,
    scopes: list[str] | None,
    today: date,
    offset: int,
    limit: int,
) -> LedgerPage:
    query = ledger_query(f, scopes, today)
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    counts_q = ledger_query(LedgerFilter(**{**f.__dict__, "statuses": ()}), scopes, today).subquery()
    by_status: dict[str, int] = dict(
        (await db.execute(select(counts_q.c.status, func.count()).group_by(counts_q.c.status))).all()
    )
    rows = (
        await db.execute(
            query.order_by(Certificate.deadline_on, Person.name, Certificate.id).offset(offset).limit(limit)
        )
    ).all()
    directory = await Directory.load(db)
    frozen = await frozen_certificates(db, [c.id for c, _ in rows])
    return LedgerPage(
        items=[
            LedgerRow(person=directory.brief(p), certificate=certificate_out(c, catalog, today, frozen))
            for c, p in rows
        ],
        total=total,
        offset=offset,
        limit=limit,
        by_status={str(k): int(v) for k, v in by_status.items()},
    )
