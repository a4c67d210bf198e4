"""What the check reads from the qualifications ledger: the active 特种作业 certificates, in pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.people.models import Person
from backend.registry.adapter import Triple
from backend.workers.models import Certificate
from backend.workers.numbers_part import Ciphers

# The national registry (cx.mem.gov.cn) holds 应急管理部 特种作业操作证 only; 住建 and 市场监管
# certificates have their own query systems (not covered by this check).
FAMILY = "mem"


@dataclass(frozen=True)
class LedgerEntry:
    """One certificate as our ledger has it, with the holder's name and full numbers decrypted."""

    certificate_id: uuid.UUID
    person_id: uuid.UUID
    scope_path: str
    holder_name: str
    id_number: str
    item_key: str
    number: str
    status: str
    issued_on: date
    valid_until: date
    last_reviewed_on: date | None
    issuing_authority: str

    @property
    def item_code(self) -> str:
        return self.item_key.partition(":")[2]

    @property
    def triple(self) -> Triple:
        return Triple(self.id_number, self.item_code, self.number)


def _active() -> tuple[Any, ...]:
    """Certificates worth asking about: 特种作业, not deleted or revoked, holder not gone."""
    return (
        Certificate.family == FAMILY,
        Certificate.deleted_at.is_(None),
        Certificate.revoked_at.is_(None),
        Person.employment != "left",
        Person.deleted_at.is_(None),
    )


def _select() -> Any:
    return (
        select(
            Certificate.id,
            Certificate.person_id,
            Certificate.scope_path,
            Person.name,
            Person.id_number_enc,
            Certificate.item_key,
            Certificate.number_enc,
            Certificate.status,
            Certificate.issued_on,
            Certificate.valid_until,
            Certificate.last_reviewed_on,
            Certificate.issuing_authority,
        )
        .join(Person, Person.id == Certificate.person_id)
        .where(*_active())
    )


async def count_active(db: AsyncSession) -> int:
    query = select(func.count()).select_from(Certificate).join(Person, Person.id == Certificate.person_id)
    return int(await db.scalar(query.where(*_active())) or 0)


async def page(db: AsyncSession, ciphers: Ciphers, after: uuid.UUID | None, limit: int) -> list[LedgerEntry]:
    """The next `limit` active certificates after `after`, in id order (the run's checkpoint)."""
    query = _select().order_by(Certificate.id).limit(limit)
    if after is not None:
        query = query.where(Certificate.id > after)
    rows = (await db.execute(query)).all()
    id_cipher, number_cipher = ciphers.id_number, ciphers.cert_number
    return [
        LedgerEntry(*r[:4], id_cipher.decrypt(r[4]), r[5], number_cipher.decrypt(r[6]), *r[7:])  # type: ignore[call-arg]
        for r in rows
    ]


async def all_active(db: AsyncSession, ciphers: Ciphers) -> list[LedgerEntry]:
    out: list[LedgerEntry] = []
    after = None
    while batch := await page(db, ciphers, after, 5000):
        out += batch
        after = batch[-1].certificate_id
    return out
