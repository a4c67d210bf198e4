"""Certificates: add one, record a review, renew, revoke — each recomputes the deadlines from the
catalogue, re-arms the warnings and, when the certificate is usable again, lifts its freeze."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog, Item
from backend.catalog.service import item as catalog_item
from backend.catalog.service import local_date, rule_at
from backend.core.errors import Conflict, Invalid, NotFound
from backend.people.models import Person
from backend.workers import freeze_part, warnings_part
from backend.workers.deadlines_part import add_years, lapse_reason, plan_deadlines, status_on
from backend.workers.models import Certificate, CertificateEvent
from backend.workers.numbers_part import Ciphers, check_number, mask_number


@dataclass(frozen=True)
class Ctx:
    """What every write needs: the transaction, the catalogue, the keys, the time, the actor."""

    db: AsyncSession
    catalog: Catalog
    ciphers: Ciphers
    now: datetime
    actor_id: uuid.UUID | None = None

    @property
    def today(self) -> date:
        return local_date(self.now, self.catalog.policy)


@dataclass(frozen=True)
class CertificateInput:
    item_key: str
    number: str
    issued_on: date
    valid_until: date | None = None
    issuing_authority: str = ""
    first_issued_on: date | None = None
    last_reviewed_on: date | None = None
    item_limit: str | None = None
    review_extended: bool = False


def check_dates(catalog: Catalog, it: Item, data: CertificateInput, today: date) -> tuple[date, date | None]:
    """(valid_until, first_issued_on) after the date rules; `Invalid(dates_out_of_order)` otherwise."""
    valid_until = data.valid_until or add_years(
        data.issued_on, rule_at(catalog, it.family, data.issued_on).validity_years
    )
    if data.issued_on > today:
        raise Invalid("发证日期晚于今天", code="dates_out_of_order")
    if valid_until <= data.issued_on:
        raise Invalid("有效期截止日期早于发证日期", code="dates_out_of_order")
    first = data.first_issued_on
    if first is not None and first > data.issued_on:
        raise Invalid("初领日期晚于本证发证日期", code="dates_out_of_order")
    reviewed = data.last_reviewed_on
    if reviewed is not None and not (data.issued_on <= reviewed <= min(today, valid_until)):
        raise Invalid("复审日期不在发证日期与有效期之间", code="dates_out_of_order")
    return valid_until, first


def apply_deadlines(cert: Certificate, catalog: Catalog, today: date, holder_active: bool) -> None:
    d = plan_deadlines(
        catalog,
        cert.family,
        cert.issued_on,
        cert.valid_until,
        cert.last_reviewed_on,
        cert.review_failed_on,
        cert.review_extended,
    )
    cert.review_due_on, cert.deadline_on = d.review_due_on, d.deadline_on
    cert.deadline_kind, cert.window_opens_on = d.deadline_kind, d.window_opens_on
    cert.status = status_on(cert, today, holder_active, catalog.policy)


def holder_id(ctx: Ctx, person: Person) -> str:
    return ctx.ciphers.id_number.decrypt(person.id_number_enc)


def event(ctx: Ctx, cert: Certificate, kind: str, on: date, **detail: Any) -> None:
    ctx.db.add(
        CertificateEvent(
            certificate_id=cert.id,
            kind=kind,
            on_date=on,
            detail=detail,
            actor_id=ctx.actor_id,
            created_at=ctx.now,
        )
    )


async def get_certificate(db: AsyncSession, cert_id: uuid.UUID) -> Certificate:
    cert = await db.get(Certificate, cert_id)
    if cert is None or cert.deleted_at is not None:
        raise NotFound("证书不存在", code="certificate_unknown")
    return cert


async def certificates_of(db: AsyncSession, person_id: uuid.UUID) -> list[Certificate]:
    return list(
        await db.scalars(
            select(Certificate)
            .where(Certificate.person_id == person_id, Certificate.deleted_at.is_(None))
            .order_by(Certificate.deadline_on)
        )
    )


async def add_certificate(ctx: Ctx, person: Person, data: CertificateInput) -> Certificate:
    """A new certificate for an item the person holds none for (otherwise: renew it)."""
    it = catalog_item(ctx.catalog, data.item_key)
    valid_until, first = check_dates(ctx.catalog, it, data, ctx.today)
    number = check_number(ctx.catalog, it, data.number, holder_id(ctx, person))
    taken = await ctx.db.scalar(
        select(Certificate.id).where(Certificate.person_id == person.id, Certificate.item_key == it.key)
    )
    if taken is not None:
        raise Conflict("该人员已有此准操项目的证书，请办理复审或换证", code="certificate_exists")
    cert = Certificate(
        person_id=person.id,
        scope_path=person.unit_path,
        family=it.family,
        scheme=it.scheme,
        item_key=it.key,
        item_limit=data.item_limit,
        number_enc=ctx.ciphers.cert_number.encrypt(number),
        number_index=ctx.ciphers.cert_number.blind_index(number),
        number_masked=mask_number(number),
        issuing_authority=data.issuing_authority.strip(),
        first_issued_on=first or data.issued_on,
        issued_on=data.issued_on,
        valid_until=valid_until,
        last_reviewed_on=data.last_reviewed_on,
        review_extended=data.review_extended,
        photos=[],
    )
    apply_deadlines(cert, ctx.catalog, ctx.today, person.employment == "active")
    ctx.db.add(cert)
    await ctx.db.flush()
    event(ctx, cert, "issued", data.issued_on, valid_until=valid_until.isoformat())
    await _settle(ctx, person, cert)
    return cert


async def _settle(ctx: Ctx, person: Person, cert: Certificate) -> None:
    """After any change of dates: re-arm warnings; a usable certificate lifts its own freeze, and
    one that lapsed in the past freezes at once (its T-0 timer is due now)."""
    if person.employment == "left":
        await warnings_part.disarm(ctx.db, [cert], ctx.now)
        return
    await warnings_part.arm(ctx.db, [cert], ctx.catalog, ctx.now)
    if lapse_reason(cert, ctx.today) is None:
        await freeze_part.lift_for_certificate(ctx.db, person, cert, "证书恢复有效", ctx.now)


async def record_review(
    ctx: Ctx,
    cert: Certificate,
    person: Person,
    reviewed_on: date,
    passed: bool,
    authority: str = "",
    note: str = "",
) -> Certificate:
    """复审 / 延期复核 result. A pass at the end of validity extends it (rules: +6/+2/+4 years);
    a pass mid-term moves the next review; a fail ends validity that day."""
    if cert.revoked_at is not None:
        raise Invalid("证书已撤销，不能复审", code="certificate_revoked")
    if reviewed_on > ctx.today or reviewed_on < cert.issued_on:
        raise Invalid("复审日期无效", code="dates_out_of_order")
    if not passed:
        cert.review_failed_on = reviewed_on
        event(ctx, cert, "review_failed", reviewed_on, authority=authority, note=note)
    else:
        cert.review_failed_on = None
        if cert.deadline_on >= cert.valid_until:  # the review at the end of validity extends it
            years = rule_at(ctx.catalog, cert.family, cert.valid_until).expiry_extends_years
            cert.valid_until = add_years(cert.valid_until, years)
        cert.last_reviewed_on = reviewed_on
        if authority:
            cert.issuing_authority = authority
        event(ctx, cert, "reviewed", reviewed_on, extended_to=cert.valid_until.isoformat(), note=note)
    apply_deadlines(cert, ctx.catalog, ctx.today, person.employment == "active")
    await ctx.db.flush()
    await _settle(ctx, person, cert)
    return cert


async def renew(
    ctx: Ctx,
    cert: Certificate,
    person: Person,
    issued_on: date,
    valid_until: date | None = None,
    number: str | None = None,
    authority: str | None = None,
) -> Certificate:
    """换证: a new certificate for the same item (new dates, maybe a new number)."""
    it = catalog_item(ctx.catalog, cert.item_key)
    data = CertificateInput(
        item_key=it.key, number=number or "x", issued_on=issued_on, valid_until=valid_until
    )
    until, _ = check_dates(ctx.catalog, it, data, ctx.today)
    if number:
        clean = check_number(ctx.catalog, it, number, holder_id(ctx, person))
        cert.number_enc = ctx.ciphers.cert_number.encrypt(clean)
        cert.number_index = ctx.ciphers.cert_number.blind_index(clean)
        cert.number_masked = mask_number(clean)
    cert.issued_on, cert.valid_until = issued_on, until
    cert.last_reviewed_on = cert.review_failed_on = None
    cert.revoked_at = cert.revoked_reason = None
    if authority:
        cert.issuing_authority = authority
    apply_deadlines(cert, ctx.catalog, ctx.today, person.employment == "active")
    await ctx.db.flush()
    event(ctx, cert, "renewed", issued_on, valid_until=until.isoformat())
    await _settle(ctx, person, cert)
    return cert


async def revoke(ctx: Ctx, cert: Certificate, person: Person, reason: str) -> Certificate:
    """撤销/吊销/注销: the certificate stops counting at once and its holder is frozen for it."""
    if cert.revoked_at is None:
        cert.revoked_at, cert.revoked_reason, cert.status = ctx.now, reason[:200], "revoked"
        await ctx.db.flush()
        event(ctx, cert, "revoked", ctx.today, reason=reason)
        await warnings_part.disarm(ctx.db, [cert], ctx.now)
        await freeze_part.freeze(ctx.db, person, "revoked", ctx.now, certificate=cert)
    return cert
