"""Freezes: taking a person's gate access and work away, and giving it back, through the adapters.

Gate access is per person: the first open freeze sends a revoke, lifting the last one sends a
restore (only while the person is still employed). Permits and work orders are refused per
item: `qualification()` reads the freezes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.integrations import service as outbox
from backend.people.models import Person
from backend.workers.models import Certificate, Freeze

REASON_LABELS = {
    "expired": "证书过期",
    "review_overdue": "逾期未复审",
    "review_failed": "复审不合格",
    "revoked": "证书被撤销",
    "left": "已离职",
    "suspended": "已停职",
    "manual": "人工冻结",
    "registry": "全国系统核验未通过",  # backend/registry: not found or another item
}
PERSON_LEVEL = ("left", "suspended", "manual")


def gate_person(person: Person) -> dict[str, str]:
    """What the gate gets to know: our id, the name, the masked ID number (PIPL Art. 6: minimum)."""
    return {"person_id": str(person.id), "name": person.name, "id_number_masked": person.id_number_masked}


async def open_freezes(db: AsyncSession, person_id: uuid.UUID) -> list[Freeze]:
    return list(
        await db.scalars(
            select(Freeze)
            .where(Freeze.person_id == person_id, Freeze.lifted_at.is_(None), Freeze.deleted_at.is_(None))
            .order_by(Freeze.frozen_at)
        )
    )


async def freeze(
    db: AsyncSession,
    person: Person,
    reason: str,
    now: datetime,
    *,
    certificate: Certificate | None = None,
) -> Freeze:
    """Open a freeze (or return the open one for the same certificate/person and reason)."""
    current = await open_freezes(db, person.id)
    cert_id = certificate.id if certificate else None
    for f in current:
        if f.certificate_id == cert_id and f.reason == reason:
            return f
    row = Freeze(
        person_id=person.id,
        scope_path=person.unit_path,
        certificate_id=cert_id,
        item_key=certificate.item_key if certificate else None,
        reason=reason,
        frozen_at=now,
    )
    db.add(row)
    await db.flush()
    await audit.record(
        db,
        now,
        action="qualification.freeze",
        entity="person",
        entity_id=person.id,
        entity_version=person.version,
        details={"reason": reason, "item": row.item_key, "certificate_id": str(cert_id) if cert_id else None},
    )
    if not current:
        await outbox.enqueue(
            db,
            "gate",
            "access.revoke",
            {
                "person": gate_person(person),
                "reason": reason,
                "reason_label": REASON_LABELS.get(reason, reason),
            },
            dedupe_key=f"gate:revoke:{row.id}",
            ordering_key=f"gate:{person.id}",
            now=now,
        )
    return row


async def lift(db: AsyncSession, person: Person, freezes: Sequence[Freeze], why: str, now: datetime) -> int:
    """Lift these freezes; when none is left open and the person is employed, restore gate access."""
    lifted = 0
    for f in freezes:
        if f.lifted_at is None:
            f.lifted_at, f.lifted_reason = now, why[:120]
            lifted += 1
            await audit.record(
                db,
                now,
                action="qualification.unfreeze",
                entity="person",
                entity_id=person.id,
                entity_version=person.version,
                details={"reason": f.reason, "item": f.item_key, "why": why[:120]},
            )
    if not lifted:
        return 0
    await db.flush()
    if not await open_freezes(db, person.id) and person.employment == "active":
        await outbox.enqueue(
            db,
            "gate",
            "access.restore",
            {"person": gate_person(person), "reason": why},
            dedupe_key=f"gate:restore:{person.id}:{now.isoformat()}:{freezes[0].id}",
            ordering_key=f"gate:{person.id}",
            now=now,
        )
    return lifted


async def lift_for_certificate(
    db: AsyncSession, person: Person, cert: Certificate, why: str, now: datetime
) -> int:
    """A renewal or a passed review lifts the freezes that certificate caused."""
    mine = [f for f in await open_freezes(db, person.id) if f.certificate_id == cert.id]
    return await lift(db, person, mine, why, now)
