"""The permits an edge node must know about: those of its site that are or may become in force."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.org.models import Area
from backend.permits.models import Permit
from backend.permits.schemas import ActivePermitOut

# Approved (waiting for 验票), active and suspended: the node counts only "active" as permitted work,
# but sees the others so a started or resumed permit is known before the next refresh matters.
IN_FORCE = ("approved", "active", "suspended")


async def for_site(db: AsyncSession, site_id: uuid.UUID, now: datetime) -> list[ActivePermitOut]:
    rows = await db.execute(
        select(Permit, Area.code)
        .join(Area, Area.id == Permit.area_id)
        .where(
            Permit.site_id == site_id,
            Permit.status.in_(IN_FORCE),
            Permit.valid_until > now,
            Permit.deleted_at.is_(None),
        )
        .order_by(Permit.number)
    )
    return [
        ActivePermitOut(
            number=p.number, area_code=code, work_type=p.work_type, status=p.status, valid_until=p.valid_until
        )
        for p, code in rows.all()
    ]
