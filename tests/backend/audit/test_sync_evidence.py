"""An op pushed by sync is audited as sent by sync, from its device, at its HLC, with its signer."""

from __future__ import annotations

import msgspec
from sqlalchemy import select

from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.people.models import Person
from backend.sync.context import SyncContext, command
from backend.sync.registry import build_registry
from sync.messages import Operation
from sync.rules import Effect, Rule, Stamp
from tests.backend.auth.authenticator import b64u
from tests.backend.sync.helpers import Phone
from tests.backend.sync.test_signed_and_atomic import _enrolled, _push, _signed


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    note: str = ""


@command("test.audited_sign_off", Rule.SIGNED_GUARDED, NoteIn, "person")
async def audited_sign_off(ctx: SyncContext, op: Operation, args: NoteIn, stamp: Stamp) -> Effect:
    """A domain command that records its decision, as permits' approvals do."""
    person = await ctx.db.get(Person, op.entity_id)
    await audit.record(
        ctx.db,
        ctx.now,
        action="test.sign_off",
        entity="person",
        entity_id=op.entity_id,
        actor_id=ctx.principal.person_id,
        details={"note": args.note},
    )
    return Effect(target=person)


async def test_a_pushed_op_carries_its_device_hlc_and_signer(app_client, sessionmaker, settings, clock, org):
    registry = build_registry()
    registry.add(audited_sign_off)
    app_client.app.state.sync_registry = registry
    auth, me = await _enrolled(app_client, sessionmaker, settings, clock, org)
    phone = Phone(clock)
    op = _signed(auth, phone.op("test.audited_sign_off", "person", me, {"note": "离线签字"}, base_version=1))
    assert await _push(app_client, phone, op) == [("applied", None)]
    async with sessionmaker() as db:
        entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "test.sign_off"))
    assert entry is not None and entry.channel == "sync"
    assert entry.device_id == op["device_id"] and entry.device_time == op["hlc"]
    assert entry.credential_id == b64u(next(iter(auth.credentials)))
    assert entry.details == {"note": "离线签字"} and entry.actor_id == me
