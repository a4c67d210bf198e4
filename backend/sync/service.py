"""Push and pull over the database: `sync.push.push` with a database behind it, the pull rules in SQL.

A push is one transaction. Its ops run without a savepoint each (handlers check before they
write), one flush at the end writes every change, the change log and the stored results
together: a constant number of statements per batch, not per op. If anything unexpected
fails — or a handler refuses after it wrote — the transaction is rolled back and the batch is
run again with a savepoint per op, so the faulty op is answered `deferred` (or `rejected`,
without its writes) and the others still apply (docs/sync.md, "Atomic per op").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, cast

import msgspec
from sqlalchemy import ColumnElement, Table, and_, exists, func, insert, or_, select, text
from sqlalchemy.orm import aliased
from webauthn.helpers import bytes_to_base64url

from backend.audit import service as audit
from backend.audit.schemas import Evidence
from backend.auth.models import Device, Passkey
from backend.auth.principal import Principal
from backend.config import Settings
from backend.core.errors import DomainError, Forbidden, Invalid
from backend.db.base import Base, Syncable
from backend.db.changes import ChangeLog, last_seq
from backend.sync.context import SyncContext
from backend.sync.models import SyncOpResult
from backend.sync.registry import registry_of
from backend.sync.stamps import FieldStamps
from sync.messages import (
    Final,
    Operation,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    Put,
    Tombstone,
)
from sync.pull import LogRow, Viewer, ancestors
from sync.push import MAX_BATCH, Decided, Stored, push
from sync.rules import Command, Defer, Effect, Registry, Reject, Rule, Stamp
from sync.signatures import credential_id_of, verify_op_assertion

log = logging.getLogger("tezuo.sync")

SEEN_EVERY = timedelta(minutes=5)
# Units on the way to one's own (and to one's scopes) are visible to everyone below them.
PATH_ENTITIES = frozenset({"org_unit"})


class WroteThenRejected(Exception):
    """A handler refused after writing: the batch is redone with a savepoint per op."""


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def syncable_models() -> dict[str, type[Syncable]]:
    """Entity name → model, for every syncable table (backend/db/models.py imports them all)."""
    return {
        mapper.class_.__sync_entity__: mapper.class_
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Syncable) and mapper.class_.__sync_entity__
    }


def viewer_of(principal: Principal) -> Viewer:
    paths = [principal.unit_path, *(g.scope_path for g in principal.grants)]
    return Viewer(principal.person_id, tuple(principal.visible_scopes()), ancestors(paths))


async def claim_device(ctx: SyncContext, name: str) -> None:
    """A phone's first push registers its id to the caller; another person's device is refused."""
    device = await ctx.db.get(Device, ctx.device_id)
    if device is None:
        device = Device(
            id=ctx.device_id, kind="phone", name=(name or "phone")[:120], person_id=ctx.principal.person_id
        )
        ctx.db.add(device)
    elif device.person_id != ctx.principal.person_id:
        raise Forbidden("该设备属于其他人员", code="device_not_yours")
    if device.last_seen_at is None or ctx.now - device.last_seen_at > SEEN_EVERY:
        device.last_seen_at = ctx.now  # not on every push: it would be one more write per batch


async def take_write_lock(ctx: SyncContext) -> None:
    """SQLite: hold the write lock from the first read, so no other writer changes what we read.

    (PostgreSQL takes row locks on the entities in `prefetch` instead.)
    """
    if ctx.db.get_bind().dialect.name == "sqlite":
        await ctx.db.execute(text("BEGIN IMMEDIATE"))


class DbPush:
    """`sync.push.PushServer` over the request's transaction."""

    def __init__(self, ctx: SyncContext, registry: Registry[SyncContext], *, careful: bool):
        self.ctx = ctx
        self.registry = registry
        self.careful = careful
        self.server_seq = 0
        self._ops: list[Operation] = []
        self._loaded: list[Any] = []  # the identity map holds rows weakly: keep the batch's alive
        self._passkeys: dict[bytes, Passkey] | None = None

    async def stored(self, op_ids: list[uuid.UUID]) -> dict[uuid.UUID, Stored]:
        if not op_ids:
            return {}
        rows = await self.ctx.db.execute(
            select(SyncOpResult.op_id, SyncOpResult.device_id, SyncOpResult.result).where(
                SyncOpResult.op_id.in_(op_ids)
            )
        )
        return {op_id: Stored(device, msgspec.convert(result, Final)) for op_id, device, result in rows}

    async def prefetch(self, ops: list[Operation]) -> None:
        """Load (and on PostgreSQL lock, in id order) every entity the batch targets, and LWW stamps."""
        self._ops = ops
        wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
        lww: dict[str, set[uuid.UUID]] = defaultdict(set)
        for op in ops:
            wanted[op.entity].add(op.entity_id)
            command = self.registry.get(op.kind)
            if command is not None and command.rule is Rule.LWW_FIELD:
                lww[op.entity].add(op.entity_id)
        models = syncable_models()
        postgres = self.ctx.db.get_bind().dialect.name == "postgresql"
        for entity in sorted(wanted):
            model = models.get(entity)
            if model is None:
                continue
            query = select(model).where(model.id.in_(wanted[entity])).order_by(model.id)
            query = query.execution_options(populate_existing=True)
            rows = await self.ctx.db.scalars(query.with_for_update() if postgres else query)
            self._loaded.extend(rows.all())
        for entity, ids in lww.items():
            await self.ctx.stamps.load(entity, ids)

    async def verify(self, op: Operation, challenge: bytes) -> None:
        assert op.signature is not None
        if self._passkeys is None:
            rows = await self.ctx.db.scalars(
                select(Passkey).where(Passkey.person_id == self.ctx.principal.person_id)
            )
            self._passkeys = {p.credential_id: p for p in rows}
        cred_id = credential_id_of(op.signature)
        passkey = self._passkeys.get(cred_id) if cred_id else None
        if passkey is None:
            raise Reject("signature_invalid", "签名所用通行密钥不属于操作人")
        verify_op_assertion(
            op.signature, challenge, passkey.public_key, self.ctx.settings.rp_id, self.ctx.settings.origin
        )

    def _writes(self) -> tuple[int, int, int, int]:
        """A cheap fingerprint of what the session holds to write (new, dirty, deleted, stamps)."""
        db = self.ctx.db
        return (len(db.new), len(db.dirty), len(db.deleted), self.ctx.stamps.writes)

    def _evidence(self, op: Operation) -> Evidence:
        """Audit evidence of one op: sent by sync from its device, at the device's HLC time, and
        signed by the passkey its signature names (else the one that opened the session)."""
        signer = credential_id_of(op.signature) if op.signature else None
        return Evidence(
            channel="sync",
            credential_id=bytes_to_base64url(signer) if signer else self.ctx.principal.credential_id,
            device_id=str(op.device_id),
            device_time=op.hlc,
        ).clipped()

    async def run(self, command: Command[SyncContext], op: Operation, args: Any, stamp: Stamp) -> Effect:
        audit.use_evidence(self.ctx.db, self._evidence(op))  # what this op's audit entries carry
        before = self._writes()
        if not self.careful:
            try:
                return await command.handler(self.ctx, op, args, stamp)
            except Reject:
                if self._writes() != before:  # it wrote, then refused: only a savepoint can undo that
                    raise WroteThenRejected(op.kind) from None
                raise
        mark = self.ctx.stamps.mark()
        try:
            async with self.ctx.db.begin_nested():
                effect = await command.handler(self.ctx, op, args, stamp)
                await self.ctx.db.flush()
                return effect
        except Reject:
            if self._writes() != before:
                self.ctx.stamps.rollback(mark)
                await self.prefetch(self._ops)  # the rollback expired what the op touched
            raise
        except Exception:
            log.exception("sync op %s (%s) failed; deferred", op.op_id, op.kind)
            self.ctx.stamps.rollback(mark)
            await self.prefetch(self._ops)
            raise Defer("server_error", "服务器处理该操作时出错，稍后自动重试") from None

    async def commit(self) -> int:
        await self.ctx.stamps.flush()
        await self.ctx.db.flush()
        appended = last_seq(self.ctx.db.sync_session)
        if appended is None:  # nothing changed: everything up to the log's top is what we saw
            appended = await self.ctx.db.scalar(select(func.max(ChangeLog.seq))) or 0
        self.server_seq = appended
        return self.server_seq

    def version_of(self, target: Any) -> int:
        return int(target.version)

    async def store(self, decided: list[Decided]) -> None:
        if not decided:
            return
        rows = [
            {
                "op_id": item.op.op_id,
                "device_id": item.op.device_id,
                "person_id": self.ctx.principal.person_id,
                "kind": item.op.kind[:64],
                "hlc": item.op.hlc[:100],
                "result": msgspec.to_builtins(item.result),
                "server_seq": self.server_seq,
                "created_at": self.ctx.now,
            }
            for item in decided
        ]
        await self.ctx.db.execute(
            insert(cast(Table, SyncOpResult.__table__)), rows
        )  # Core: no per-row ORM work


async def push_request(
    state: Any,
    principal: Principal,
    settings: Settings,
    now: datetime,
    request: PushRequest,
    device_name: str,
) -> PushResponse:
    """One push, in its own transaction (two if the fast attempt fails and is redone op by op).

    On SQLite the pushes of this process queue for the write lock in arrival order (an asyncio
    lock) instead of polling SQLite's busy handler.
    """
    if len(request.ops) > MAX_BATCH:
        raise Invalid(f"一次最多推送 {MAX_BATCH} 条操作", code="batch_too_large")
    lock = state.get("sync_write_lock")
    if lock is None:
        lock = state.sync_write_lock = asyncio.Lock() if settings.is_sqlite else contextlib.nullcontext()
    registry = registry_of(state)
    async with lock:
        try:
            async with state.sessionmaker() as db, db.begin():
                ctx = SyncContext(db, principal, settings, now, request.device_id, FieldStamps(db))
                return await push_batch(ctx, registry, request, device_name, careful=False)
        except DomainError:
            raise
        except Exception:
            log.warning(
                "sync batch of %s failed as a whole; redoing it op by op", request.device_id, exc_info=True
            )
        async with state.sessionmaker() as db, db.begin():
            ctx = SyncContext(db, principal, settings, now, request.device_id, FieldStamps(db))
            return await push_batch(ctx, registry, request, device_name, careful=True)


async def push_batch(
    ctx: SyncContext,
    registry: Registry[SyncContext],
    request: PushRequest,
    device_name: str = "",
    *,
    careful: bool = False,
) -> PushResponse:
    """Decide a device's batch in the caller's transaction: one result per op, each op atomic.

    `careful` gives every op its own savepoint, so one that fails is deferred and the rest apply.
    """
    await take_write_lock(ctx)
    await claim_device(ctx, device_name or request.device_name)
    return await push(DbPush(ctx, registry, careful=careful), request, ms(ctx.now))


def _visible(row: Any, viewer: Viewer) -> ColumnElement[bool]:
    """SQL twin of `sync.pull.Viewer.sees`."""
    reasons = [row.owner_id == viewer.person_id]
    reasons += [row.scope_path.startswith(scope, autoescape=True) for scope in viewer.scopes]
    if viewer.unit_paths:
        reasons.append(and_(row.entity.in_(PATH_ENTITIES), row.scope_path.in_(viewer.unit_paths)))
    return and_(row.deleted.is_(False), or_(*reasons))


async def pull(
    db: Any, principal: Principal, request: PullRequest, now: datetime, commands: list[str] | None = None
) -> PullResponse:
    """One page of the compacted, scope-filtered change log (the rules of sync/pull.py)."""
    viewer = viewer_of(principal)
    scope = viewer.fingerprint()
    top = await db.scalar(select(func.max(ChangeLog.seq))) or 0
    # scopes changed, or the device is ahead of this log (a restored backup): start again
    reset = (bool(request.scope) and request.scope != scope) or request.cursor > top
    cursor = 0 if reset else request.cursor

    row, newer, earlier = aliased(ChangeLog), aliased(ChangeLog), aliased(ChangeLog)
    latest = ~exists().where(newer.entity_id == row.entity_id, newer.seq > row.seq, newer.seq <= top)
    wanted = _visible(row, viewer)
    if cursor > 0:
        seen_before = exists().where(
            earlier.entity_id == row.entity_id, earlier.seq <= cursor, _visible(earlier, viewer)
        )
        wanted = or_(wanted, seen_before)
    query = (
        select(row)
        .where(row.seq > cursor, row.seq <= top, latest, wanted)
        .order_by(row.seq)
        .limit(request.limit + 1)
    )
    rows = list((await db.scalars(query)).all())
    more = len(rows) > request.limit
    rows = rows[: request.limit]
    changes: list[Put | Tombstone] = []
    for r in rows:
        as_log = LogRow(r.seq, r.entity, r.entity_id, r.version, r.deleted, r.data, r.scope_path, r.owner_id)
        if viewer.sees(as_log, PATH_ENTITIES):
            changes.append(
                Put(seq=r.seq, entity=r.entity, entity_id=r.entity_id, version=r.version, data=r.data)
            )
        else:
            changes.append(Tombstone(seq=r.seq, entity=r.entity, entity_id=r.entity_id, version=r.version))
    return PullResponse(
        changes=changes,
        cursor=rows[-1].seq if more else top,
        more=more,
        server_time=ms(now),
        scope=scope,
        reset=reset,
        commands=commands or [],
    )
