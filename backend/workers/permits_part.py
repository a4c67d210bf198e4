"""The permits domain asks "may these people do this work?" through its seam
(`backend.permits.qualifications`); this answers it with `qualification()` — certificates, reviews,
freezes at T-0, leaving the company, off the job — instead of the employment-only default."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.catalog.service import catalog_for
from backend.config import Settings
from backend.people.models import Person
from backend.permits.qualifications import Refusal, use
from backend.workers.freeze_part import REASON_LABELS
from backend.workers.models import Freeze
from backend.workers.qualification_part import freezes_at, qualifications

# The seam's own codes for employment, kept so that callers need not know which service answered.
CODES = {"person_suspended": "employment_suspended", "person_left": "employment_left"}


class CertificateQualifications:
    """`WorkerQualifications` backed by the certificate ledger."""

    def __init__(self, catalog: Callable[[], Catalog]):
        self.catalog = catalog

    async def check(
        self, db: AsyncSession, person_id: uuid.UUID, items: Sequence[str], at: datetime
    ) -> list[Refusal]:
        return await self.check_many(db, [(person_id, items)], at)

    async def check_many(
        self, db: AsyncSession, asks: Sequence[tuple[uuid.UUID, Sequence[str]]], at: datetime
    ) -> list[Refusal]:
        """Refusals of several people at once, in the order asked: a handful of statements for the
        whole crew (people, freezes, certificates, off-job periods), not a handful per person."""
        ids = list(dict.fromkeys(pid for pid, _ in asks))
        found = {
            p.id: p
            for p in await db.scalars(
                select(Person).where(Person.id.in_(ids)).execution_options(populate_existing=True)
            )
        }
        people = {pid: p for pid, p in found.items() if p.deleted_at is None}
        # one read of the freezes for everyone: item freezes for the certificate check, and
        # open freezes of the whole person for those whose role needs no certificate
        freezes = await freezes_at(db, list(people), at) if people else {}
        catalog = self.catalog() if any(items for _, items in asks) else None
        wanted = [(pid, people.get(pid), item) for pid, items in asks for item in items]
        answers = iter(await qualifications(db, wanted, at, catalog, freezes) if catalog and wanted else [])
        refusals: list[Refusal] = []
        for pid, items in asks:
            person = people.get(pid)
            if person is None:
                refusals.append(
                    Refusal(person_id=pid, name="?", item="", code="person_unknown", reason="人员不存在")
                )
                for _ in items:
                    next(answers)
                continue
            if not items:  # a role that needs no certificate (most guardians): employment and freezes only
                whole = [f for f in freezes.get(person.id, []) if f.item_key is None and f.lifted_at is None]
                refusals += _person_level(person, whole)
                continue
            for item in items:
                q = next(answers)
                if not q.allowed:
                    first = q.reasons[0].code
                    refusals.append(
                        Refusal(
                            person_id=person.id,
                            name=person.name,
                            item=item,
                            code=CODES.get(first, first),
                            reason=f"{person.name}：" + "；".join(r.detail for r in q.reasons),
                        )
                    )
        return refusals


def _person_level(person: Person, whole: Sequence[Freeze]) -> list[Refusal]:
    if person.employment != "active":
        code = CODES.get(f"person_{person.employment}", person.employment)
        text = "已离职" if person.employment == "left" else "已停职"
        return [
            Refusal(person_id=person.id, name=person.name, item="", code=code, reason=f"{person.name}{text}")
        ]
    if whole:
        label = REASON_LABELS.get(whole[0].reason, whole[0].reason)
        return [
            Refusal(
                person_id=person.id,
                name=person.name,
                item="",
                code="frozen",
                reason=f"{person.name}已冻结：{label}",
            )
        ]
    return []


def install(settings: Settings) -> None:
    """Make permits check certificates (called by the app factory)."""
    use(CertificateQualifications(lambda: catalog_for(settings)))
