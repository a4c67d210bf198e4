"""The people domain's sync commands: the same service functions the REST routes call."""

from __future__ import annotations

from backend.people import service
from backend.people.schemas import ContactUpdate
from backend.sync.context import SyncContext, command
from sync.messages import Operation
from sync.rules import Effect, Registry, Rule, Stamp


@command("worker.update_contact", Rule.LWW_FIELD, ContactUpdate, "person")
async def update_contact(ctx: SyncContext, op: Operation, args: ContactUpdate, stamp: Stamp) -> Effect:
    """A phone or locale changed on a phone, maybe offline: per-field last-writer-wins."""
    outcome = await service.update_contact(
        ctx.db, ctx.principal, op.entity_id, args, stamp, ctx.stamps, op.base_version
    )
    return Effect(target=outcome.person, stale=outcome.stale, lost=outcome.lost)


def register(registry: Registry[SyncContext]) -> None:
    registry.add(update_contact)
