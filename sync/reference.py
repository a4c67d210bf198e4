"""The reference server: a pure in-memory server applying the same push and pull algorithms.

It is the executable specification the shared vectors and the property tests run against, and
it carries a tiny permit model (status + gas readings) so scenarios about approvals and readings
can be tested before the permit engine exists. The real server (backend/sync) runs the same
`sync.push.push` and the same pull rules over the database; pwa/src/sync/reference.ts is the
TypeScript twin of this file.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec

from sync import mutators
from sync.messages import EntityState, Operation, PullRequest, PullResponse, PushRequest, PushResponse
from sync.pull import LogRow, Viewer, ancestors, pull_page
from sync.push import Decided, Stored, push
from sync.rules import Command, Effect, Registry, Reject, Rule, Stamp, lww_merge
from sync.signatures import credential_id_of, verify_op_assertion

# Mirrors backend/auth/principal.py: roles that see other people's records inside their scope.
OVERSEEING = frozenset(
    {
        "guardian",
        "inspector",
        "team_leader",
        "safety_officer",
        "workshop_director",
        "vice_president",
        "hr",
        "admin",
    }
)
CONTACT_MANAGERS = ("admin", "hr")
GAS_RECORDERS = ("guardian", "safety_officer", "inspector", "team_leader")
APPROVERS = ("safety_officer", "workshop_director", "vice_president")
CANCELLERS = ("team_leader", "safety_officer", "workshop_director")
PATH_ENTITIES = frozenset({"org_unit"})
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
LOCALES = ("zh-CN", "en")


class DeviceNotYours(Exception):
    """The pushing person does not own the device id (HTTP 403 on the real server)."""


@dataclass
class Actor:
    person_id: uuid.UUID
    unit_path: str
    grants: list[tuple[str, str]]
    credentials: dict[bytes, bytes] = field(default_factory=dict)  # credential id → COSE key

    def has_role(self, roles: tuple[str, ...], path: str) -> bool:
        return any(role in roles and path.startswith(scope) for role, scope in self.grants)

    def viewer(self) -> Viewer:
        scopes = tuple(sorted({scope for role, scope in self.grants if role in OVERSEEING}))
        units = ancestors([self.unit_path, *(scope for _, scope in self.grants)])
        return Viewer(self.person_id, scopes, units)


@dataclass
class Entity:
    entity: str
    entity_id: uuid.UUID
    version: int
    data: dict[str, Any]
    scope_path: str | None
    owner_id: uuid.UUID | None = None
    deleted: bool = False

    def state(self) -> EntityState:
        return EntityState(
            entity=self.entity,
            entity_id=self.entity_id,
            version=self.version,
            data=copy.deepcopy(self.data),
            deleted=self.deleted,
        )


Key = tuple[str, uuid.UUID]


class ReferenceServer:
    """Everything a server holds, in dicts: entities, LWW stamps, stored results, the change log."""

    def __init__(self, rp_id: str = "localhost", origin: str = "http://localhost:8000"):
        self.rp_id = rp_id
        self.origin = origin
        self.actors: dict[uuid.UUID, Actor] = {}
        self.devices: dict[uuid.UUID, uuid.UUID] = {}
        self.entities: dict[Key, Entity] = {}
        self.stamps: dict[tuple[str, uuid.UUID, str], Stamp] = {}
        self.results: dict[uuid.UUID, Stored] = {}
        self.log: list[LogRow] = []
        self.registry = REGISTRY

    # --- seeding --------------------------------------------------------------------------
    def add_actor(self, actor: Actor) -> None:
        self.actors[actor.person_id] = actor

    def seed(self, entity: Entity) -> None:
        """Put an entity in place as if written earlier (logged like any write)."""
        self.entities[(entity.entity, entity.entity_id)] = entity
        self._log(entity)

    def write(
        self,
        entity: str,
        entity_id: uuid.UUID,
        changes: dict[str, Any] | None = None,
        *,
        scope_path: str | None = None,
        deleted: bool | None = None,
    ) -> Entity:
        """A write made on the server outside sync (an admin's REST call): a new logged version."""
        found = self.entities[(entity, entity_id)]
        found.data = {**found.data, **(changes or {})}
        found.scope_path = found.scope_path if scope_path is None else scope_path
        found.deleted = found.deleted if deleted is None else deleted
        found.version += 1
        self._log(found)
        return found

    def _log(self, entity: Entity) -> None:
        self.log.append(
            LogRow(
                seq=len(self.log) + 1,
                entity=entity.entity,
                entity_id=entity.entity_id,
                version=entity.version,
                deleted=entity.deleted,
                data=copy.deepcopy(entity.data),
                scope_path=entity.scope_path,
                owner_id=entity.owner_id,
            )
        )

    # --- the two endpoints ------------------------------------------------------------------
    async def push(self, person_id: uuid.UUID, request: PushRequest, now_ms: int) -> PushResponse:
        owner = self.devices.setdefault(request.device_id, person_id)
        if owner != person_id:
            raise DeviceNotYours(str(request.device_id))
        return await push(_Txn(self, self.actors[person_id], now_ms), request, now_ms)

    def pull(self, person_id: uuid.UUID, request: PullRequest, now_ms: int) -> PullResponse:
        viewer = self.actors[person_id].viewer()
        scope = viewer.fingerprint()
        reset = bool(request.scope) and request.scope != scope
        page = pull_page(self.log, viewer, 0 if reset else request.cursor, request.limit, PATH_ENTITIES)
        return PullResponse(
            changes=page.changes,
            cursor=page.cursor,
            more=page.more,
            server_time=now_ms,
            scope=scope,
            reset=reset,
            commands=self.registry.kinds(),
        )

    def visible_state(self, person_id: uuid.UUID) -> dict[Key, tuple[int, dict[str, Any]]]:
        """What a device of this person should hold once it has pulled everything."""
        viewer = self.actors[person_id].viewer()
        latest: dict[Key, LogRow] = {}
        for row in self.log:
            latest[(row.entity, row.entity_id)] = row
        return {
            key: (row.version, row.data) for key, row in latest.items() if viewer.sees(row, PATH_ENTITIES)
        }


class _Txn:
    """One push: handlers read through it and write into a working set committed at the end."""

    def __init__(self, server: ReferenceServer, actor: Actor, now_ms: int):
        self.server = server
        self.actor = actor
        self.now_ms = now_ms
        self.registry = server.registry
        self.ctx = self
        self.touched: dict[Key, Entity] = {}
        self.new_stamps: dict[tuple[str, uuid.UUID, str], Stamp] = {}

    # PushServer protocol
    async def stored(self, op_ids: list[uuid.UUID]) -> dict[uuid.UUID, Stored]:
        return {op_id: self.server.results[op_id] for op_id in op_ids if op_id in self.server.results}

    async def prefetch(self, ops: list[Operation]) -> None:
        return None

    async def verify(self, op: Operation, challenge: bytes) -> None:
        assert op.signature is not None
        cred_id = credential_id_of(op.signature)
        public_key = self.actor.credentials.get(cred_id) if cred_id else None
        if public_key is None:
            raise Reject("signature_invalid", "签名所用通行密钥不属于操作人")
        verify_op_assertion(op.signature, challenge, public_key, self.server.rp_id, self.server.origin)

    async def run(self, command: Command[_Txn], op: Operation, args: Any, stamp: Stamp) -> Effect:
        return await command.handler(self, op, args, stamp)

    async def commit(self) -> int:
        for key, entity in self.touched.items():
            before = self.server.entities.get(key)
            entity.version = before.version + 1 if before else 1
            self.server.entities[key] = entity
            self.server._log(entity)
        self.server.stamps.update(self.new_stamps)
        return self.server.log[-1].seq if self.server.log else 0

    def version_of(self, target: Any) -> int:
        return self.server.entities[target].version

    async def store(self, decided: list[Decided]) -> None:
        for item in decided:
            self.server.results[item.op.op_id] = Stored(item.op.device_id, item.result)

    # what handlers use
    def get(self, entity: str, entity_id: uuid.UUID) -> Entity | None:
        key = (entity, entity_id)
        found = self.touched.get(key) or self.server.entities.get(key)
        return None if found is None or found.deleted else found

    def edit(self, found: Entity) -> Entity:
        """A working copy of an entity this push changes (committed with one new version)."""
        key = (found.entity, found.entity_id)
        if key not in self.touched:
            self.touched[key] = copy.deepcopy(found)
        return self.touched[key]

    def create(self, entity: Entity) -> Entity:
        self.touched[(entity.entity, entity.entity_id)] = entity
        return entity

    def stamps_of(self, entity: str, entity_id: uuid.UUID, names: list[str]) -> dict[str, Stamp]:
        out = {}
        for name in names:
            key = (entity, entity_id, name)
            stamp = self.new_stamps.get(key) or self.server.stamps.get(key)
            if stamp is not None:
                out[name] = stamp
        return out

    def set_stamps(self, entity: str, entity_id: uuid.UUID, names: list[str], stamp: Stamp) -> None:
        for name in names:
            self.new_stamps[(entity, entity_id, name)] = stamp


# --- commands ---------------------------------------------------------------------------------

REGISTRY: Registry[_Txn] = Registry()


class ContactChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    phone: str | msgspec.UnsetType | None = msgspec.UNSET
    locale: str | msgspec.UnsetType = msgspec.UNSET


def contact_changes(args: ContactChange) -> dict[str, Any]:
    """The fields an update sets, validated (the same rules as backend/people/service.py)."""
    changes = {name: getattr(args, name) for name in mutators.CONTACT_FIELDS}
    changes = {name: value for name, value in changes.items() if value is not msgspec.UNSET}
    if not changes:
        raise Reject("invalid_args", "没有要修改的联系方式")
    phone = changes.get("phone")
    if phone is not None and not PHONE.match(phone):
        raise Reject("phone_invalid", "电话号码格式不正确")
    if "locale" in changes and changes["locale"] not in LOCALES:
        raise Reject("locale_invalid", "不支持的语言")
    return changes


async def _lww(txn: _Txn, op: Operation, found: Entity, changes: dict[str, Any], stamp: Stamp) -> Effect:
    won, lost = lww_merge(txn.stamps_of(found.entity, found.entity_id, list(changes)), changes, stamp)
    stale = op.base_version is not None and op.base_version < found.version
    key = (found.entity, found.entity_id)
    if won:
        target = txn.edit(found)
        target.data = mutators.update_fields(target.data, won)
        txn.set_stamps(found.entity, found.entity_id, list(won), stamp)
    return Effect(target=key, stale=stale, lost=lost)


@REGISTRY.command("worker.update_contact", Rule.LWW_FIELD, ContactChange, "person")
async def update_contact(txn: _Txn, op: Operation, args: ContactChange, stamp: Stamp) -> Effect:
    person = txn.get("person", op.entity_id)
    if person is None:
        raise Reject("person_unknown", "人员不存在")
    if person.entity_id != txn.actor.person_id and not txn.actor.has_role(
        CONTACT_MANAGERS, person.data["unit_path"]
    ):
        raise Reject("role_required", "只能修改本人的联系方式")
    return await _lww(txn, op, person, contact_changes(args), stamp)


def _permit(txn: _Txn, permit_id: uuid.UUID) -> Entity:
    permit = txn.get("permit", permit_id)
    if permit is None:
        raise Reject("permit_unknown", "作业票不存在")
    return permit


class GasReadingIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    permit_id: uuid.UUID
    o2_pct: Annotated[float, msgspec.Meta(ge=0, le=100)]
    lel_pct: Annotated[float, msgspec.Meta(ge=0, le=100)]
    h2s_ppm: Annotated[float, msgspec.Meta(ge=0, le=10_000)] = 0
    co_ppm: Annotated[float, msgspec.Meta(ge=0, le=10_000)] = 0


@REGISTRY.command("gas.record", Rule.APPEND, GasReadingIn, "gas_reading")
async def record_gas(txn: _Txn, op: Operation, args: GasReadingIn, stamp: Stamp) -> Effect:
    """Always kept, even on a permit cancelled meanwhile (flagged by `permit_status`)."""
    permit = _permit(txn, args.permit_id)
    path = permit.data["scope_path"]
    if not txn.actor.has_role(GAS_RECORDERS, path):
        raise Reject("role_required", "您不是该作业的监护人或安全员")
    if txn.get("gas_reading", op.entity_id) is not None:
        raise Reject("entity_exists", "该读数编号已存在")
    data = mutators.gas_reading(
        msgspec.to_builtins(args),
        recorded_by=str(txn.actor.person_id),
        measured_at=stamp.at,
        hlc=op.hlc,
        permit_status=permit.data["status"],
    )
    txn.create(Entity("gas_reading", op.entity_id, 0, data, path, owner_id=txn.actor.person_id))
    return Effect(target=("gas_reading", op.entity_id))


class ApproveIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    comment: str = ""


@REGISTRY.command("permit.approve", Rule.SIGNED_GUARDED, ApproveIn, "permit")
async def approve(txn: _Txn, op: Operation, args: ApproveIn, stamp: Stamp) -> Effect:
    permit = _permit(txn, op.entity_id)
    if not txn.actor.has_role(APPROVERS, permit.data["scope_path"]):
        raise Reject("role_required", "您已不再具有该作业票的审批权限", permit.state())
    if permit.data["status"] != "pending":
        raise Reject(
            "state_changed", f"作业票当前状态为「{permit.data['status']}」，不能审批", permit.state()
        )
    if op.base_version != permit.version:
        raise Reject("stale", "作业票在您审批时之后已被修改，请重新查看后再审批", permit.state())
    target = txn.edit(permit)
    target.data = mutators.approve(target.data, by=str(txn.actor.person_id), at=txn.now_ms, hlc=op.hlc)
    return Effect(target=("permit", op.entity_id))


class CancelIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


@REGISTRY.command("permit.cancel", Rule.GUARDED, CancelIn, "permit")
async def cancel(txn: _Txn, op: Operation, args: CancelIn, stamp: Stamp) -> Effect:
    permit = _permit(txn, op.entity_id)
    if not txn.actor.has_role(CANCELLERS, permit.data["scope_path"]):
        raise Reject("role_required", "您没有取消该作业票的权限", permit.state())
    if permit.data["status"] not in ("pending", "approved"):
        raise Reject(
            "state_changed", f"作业票当前状态为「{permit.data['status']}」，不能取消", permit.state()
        )
    target = txn.edit(permit)
    target.data = mutators.cancel(target.data, by=str(txn.actor.person_id), reason=args.reason)
    return Effect(target=("permit", op.entity_id))


class NoteIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=500)]


@REGISTRY.command("permit.edit_note", Rule.LWW_FIELD, NoteIn, "permit")
async def edit_note(txn: _Txn, op: Operation, args: NoteIn, stamp: Stamp) -> Effect:
    permit = _permit(txn, op.entity_id)
    if not txn.actor.has_role(CANCELLERS, permit.data["scope_path"]):
        raise Reject("role_required", "您没有修改该作业票的权限", permit.state())
    return await _lww(txn, op, permit, {"note": args.note}, stamp)
