"""The permit domain's sync commands: offline approvals, cancellation and manual gas analyses.

Each is the service function the REST route calls; a refusal carries the permit as the server
holds it now, so the phone can show why (who cancelled it, when, why).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from backend.core.errors import DomainError
from backend.db.changes import snapshot
from backend.permits import gaslock, lifecycle
from backend.permits.catalogue import policy
from backend.permits.models import Permit
from backend.permits.schemas import AnalysisIn, DecisionBase, DecisionIn
from backend.permits.store import load, visible
from backend.sync.context import SyncContext, command
from sync.messages import EntityState, Operation
from sync.rules import Effect, Registry, Reject, Rule, Stamp


class SignedDecisionArgs(DecisionBase, kw_only=True):
    """`permit.approve` args: the canonical decision's fields (docs/permits.md); the op's
    `signature` is the WebAuthn assertion over SHA-256 of those canonical bytes."""

    permit_version: int
    content_sha256: str


class CancelArgs(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: str


class AnalysisArgs(AnalysisIn, kw_only=True):
    """A manual gas analysis recorded on a phone; the op's entity id becomes the analysis id."""

    permit_id: uuid.UUID


def current(permit: Permit) -> EntityState:
    """The permit as the server holds it now: what a refused op is shown against."""
    return EntityState(entity="permit", entity_id=permit.id, version=permit.version, data=snapshot(permit))


async def _guarded(permit: Permit, action: Callable[[], Awaitable[Any]]) -> None:
    """Run a service call; its refusal becomes a sync rejection with the permit's current state."""
    try:
        await action()
    except DomainError as exc:
        raise Reject(exc.code, exc.detail, current(permit)) from None


@command("permit.approve", Rule.SIGNED_GUARDED, SignedDecisionArgs, "permit", own_signature=True)
async def approve(ctx: SyncContext, op: Operation, args: SignedDecisionArgs, stamp: Stamp) -> Effect:
    """A signed decision made on a phone, maybe offline: every check of the online decision runs
    again now, and the assertion must verify over the canonical decision bytes (not the op hash)."""
    permit = await load(ctx.db, op.entity_id, lock=True)
    assert op.signature is not None  # signed-guarded: the push refused it otherwise
    data = DecisionIn(
        step=args.step,
        decision=args.decision,
        comment=args.comment,
        location=args.location,
        signed_at=args.signed_at,
        permit_version=args.permit_version,
        content_sha256=args.content_sha256,
        credential=dict(op.signature),
    )
    pol = policy(ctx.settings.data_dir)
    who, now = ctx.principal, ctx.now
    await _guarded(
        permit, lambda: lifecycle.decide(ctx.db, ctx.settings, who, permit, data, now, pol, offline=True)
    )
    return Effect(target=permit)


@command("permit.cancel", Rule.GUARDED, CancelArgs, "permit")
async def cancel(ctx: SyncContext, op: Operation, args: CancelArgs, stamp: Stamp) -> Effect:
    """Cancel with a reason; refused if the permit ended meanwhile or the caller lost the right."""
    permit = await load(ctx.db, op.entity_id, lock=True)
    pol = policy(ctx.settings.data_dir)
    await _guarded(permit, lambda: lifecycle.cancel(ctx.db, ctx.principal, permit, args.reason, ctx.now, pol))
    return Effect(target=permit)


@command("permit.gas_analysis", Rule.APPEND, AnalysisArgs, "gas_analysis")
async def gas_analysis(ctx: SyncContext, op: Operation, args: AnalysisArgs, stamp: Stamp) -> Effect:
    """A manual analysis (A.1/A.2 columns) taken offline: kept once even if the permit ended since
    (its history shows it); a failed one suspends active work as online."""
    permit, _slots = await visible(ctx.db, ctx.principal, args.permit_id)
    analysis = AnalysisIn(
        sampled_at=args.sampled_at,
        point=args.point,
        gas=args.gas,
        result=args.result,
        unit=args.unit,
        analyst_id=args.analyst_id,
    )
    pol = policy(ctx.settings.data_dir)
    row = await gaslock.record_analysis(ctx.db, ctx.principal, permit, analysis, ctx.now, pol, op.entity_id)
    return Effect(target=row)


def register(registry: Registry[SyncContext]) -> None:
    for cmd in (approve, cancel, gas_analysis):
        registry.add(cmd)
