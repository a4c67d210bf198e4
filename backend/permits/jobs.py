"""Timer handlers of the permit domain (registered in backend/jobs/registry.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from backend.jobs.registry import JobContext
from backend.permits import absences, approvals, epermit, gaslock, lifecycle
from backend.permits.catalogue import policy
from backend.permits.models import ApprovalSlot, Permit


async def _permit(ctx: JobContext) -> Permit | None:
    return await ctx.db.get(Permit, uuid.UUID(ctx.timer.payload["permit_id"]), with_for_update=True)


async def _slot(ctx: JobContext) -> tuple[Permit, ApprovalSlot] | None:
    slot = await ctx.db.get(ApprovalSlot, uuid.UUID(ctx.timer.payload["slot_id"]), with_for_update=True)
    if slot is None or slot.status != "pending":
        return None
    permit = await ctx.db.get(Permit, slot.permit_id, with_for_update=True)
    if permit is None or permit.status not in ("submitted", "approving"):
        return None
    return permit, slot


async def push(ctx: JobContext) -> None:
    """30 min before the start: the e-permit to the guardian, the operators and the area inspectors."""
    permit = await _permit(ctx)
    if permit is not None:
        await epermit.deliver(ctx.db, permit, ctx.now, policy())


async def expire(ctx: JobContext) -> None:
    permit = await _permit(ctx)
    if permit is not None:
        await lifecycle.expire(ctx.db, permit, ctx.now)


async def deputy(ctx: JobContext) -> None:
    found = await _slot(ctx)
    if found is not None:
        await approvals.deputy_check(ctx.db, found[0], found[1], found[0].scope_path, ctx.now, policy())


async def escalate(ctx: JobContext) -> None:
    found = await _slot(ctx)
    if found is not None:
        await approvals.escalate(ctx.db, found[0], found[1], found[0].scope_path, ctx.now, policy())


async def gas_due(ctx: JobContext) -> None:
    permit = await _permit(ctx)
    if permit is not None:
        due = ctx.timer.due_at if isinstance(ctx.timer.due_at, datetime) else ctx.now
        await gaslock.deadline_due(
            ctx.db, permit, ctx.timer.payload.get("rule", "periodic"), due, ctx.now, policy()
        )


async def gas_watch(ctx: JobContext) -> None:
    permit = await _permit(ctx)
    if permit is not None:
        await gaslock.watch(ctx.db, permit, ctx.now, policy())


async def absence_start(ctx: JobContext) -> None:
    await absences.begins(ctx.db, uuid.UUID(ctx.timer.payload["absence_id"]), ctx.now)
