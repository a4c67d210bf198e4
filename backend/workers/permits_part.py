"""The permits domain asks "may these people do this work?" through its seam
(`backend.permits.qualifications`); this answers it with `qualification()` — certificates, reviews,
freezes at T-0, leaving the company, off the job — instead of the employment-only default."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.catalog.service import catalog_for
from backend.config import Settings
from backend.people.models import Person
from backend.permits.qualifications import Refusal, use
from backend.workers.freeze_part import REASON_LABELS, open_freezes
from backend.workers.qualification_part import qualification

# The seam's own codes for employment, kept so that callers need not know which service answered.
CODES = {"person_suspended": "employment_suspended", "person_left": "employment_left"}


class CertificateQualifications:
    """`WorkerQualifications` backed by the certificate ledger."""

    def __init__(self, catalog: Callable[[], Catalog]):
        self.catalog = catalog

    async def check(
        self, db: AsyncSession, person_id: uuid.UUID, items: Sequence[str], at: datetime
    ) -> list[Refusal]:
        person = await db.get(Person, person_id, populate_existing=True)
        if person is None or person.deleted_at is not None:
            return [
                Refusal(person_id=person_id, name="?", item="", code="person_unknown", reason="人员不存在")
            ]
        if not items:  # a role that needs no certificate (most guardians): employment and freezes only
            return await self._person_level(db, person, at)
        catalog = self.catalog()
        refusals = []
        for item in items:
            q = await qualification(db, person, item, at, catalog)
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

    async def _person_level(self, db: AsyncSession, person: Person, at: datetime) -> list[Refusal]:
        if person.employment != "active":
            code = CODES.get(f"person_{person.employment}", person.employment)
            text = "已离职" if person.employment == "left" else "已停职"
            return [
                Refusal(
                    person_id=person.id, name=person.name, item="", code=code, reason=f"{person.name}{text}"
                )
            ]
        whole = [f for f in await open_freezes(db, person.id) if f.item_key is None and f.frozen_at <= at]
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
