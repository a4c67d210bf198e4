"""Loading permits with the rows around them, and who may see or act on one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.core.errors import Forbidden, NotFound
from backend.org.models import Area
from backend.permits.approvals import signers
from backend.permits.models import ApprovalSlot, Permit


async def load(db: AsyncSession, permit_id: uuid.UUID, *, lock: bool = False) -> Permit:
    permit = await db.get(Permit, permit_id, with_for_update=lock, populate_existing=lock)
    if permit is None or permit.deleted_at is not None:
        raise NotFound("作业票不存在", code="permit_unknown")
    return permit


async def area_of(db: AsyncSession, permit: Permit) -> Area:
    """The permit's area, read once per session: the identity map holds rows only weakly, so a
    request that checks the area and then answers with it would read it twice."""
    held: dict[uuid.UUID, Area] = db.info.setdefault("tezuo_permit_areas", {})
    area = held.get(permit.area_id)
    if area is None or area not in db or inspect(area).expired_attributes:  # a rollback expires it
        area = await db.get(Area, permit.area_id)
    assert area is not None
    held[permit.area_id] = area
    return area


async def slots_of(db: AsyncSession, permit: Permit) -> list[ApprovalSlot]:
    return list(
        await db.scalars(
            select(ApprovalSlot)
            .where(ApprovalSlot.permit_id == permit.id)
            .order_by(ApprovalSlot.stage, ApprovalSlot.key)
            .execution_options(populate_existing=True)
        )
    )


def involved(permit: Permit, who: Principal, slots: list[ApprovalSlot]) -> bool:
    people = {permit.applicant_id, permit.guardian_id, *(uuid.UUID(str(o)) for o in permit.operator_ids)}
    return who.person_id in people or any(who.person_id in signers(s) for s in slots)


async def visible(
    db: AsyncSession, who: Principal, permit_id: uuid.UUID
) -> tuple[Permit, list[ApprovalSlot]]:
    """The permit if the caller oversees its area or takes part in it."""
    permit = await load(db, permit_id)
    slots = await slots_of(db, permit)
    if not (who.oversees(permit.scope_path) or involved(permit, who, slots)):
        raise Forbidden("无权查看该作业票", code="out_of_scope")
    return permit, slots


def acts_for(who: Principal, roles: Sequence[str], path: str) -> bool:
    """The role is held over the permit's workshop or inside it (a team leader of one of its teams)."""
    return any(
        g.role in roles and (path.startswith(g.scope_path) or g.scope_path.startswith(path))
        for g in who.grants
    )
