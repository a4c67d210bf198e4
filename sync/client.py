"""The device half of the protocol, transport-agnostic: outbox, push, pull, rebase.

The PWA's pwa/src/sync/ is the real client (IndexedDB, timers, UI); this Python twin follows
the same rules and drives the property tests and `tezuo bench sync`. Rules:

* an op stays in the outbox until a *decided* result for it arrives; every retry sends the
  byte-identical op, so the server answers a retry with the stored original result;
* `applied`/`merged` ops stay in the view until a pull reaches their `server_seq` (then the
  pulled state already contains them); `rejected` ops leave the outbox and become notices;
* `deferred` results (server fault, unknown command) keep the op and count an attempt.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from sync import mutators
from sync.canonical import op_challenge
from sync.hlc import HlcClock
from sync.messages import (
    Final,
    Merged,
    OpResult,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    Put,
    Rejected,
    final_of,
)

Key = tuple[str, uuid.UUID]


class TransportError(Exception):
    """The request or its response was lost: the server may or may not have seen it."""


class Transport(Protocol):
    async def push(self, request: PushRequest) -> PushResponse: ...

    async def pull(self, request: PullRequest) -> PullResponse: ...


@dataclass
class Pending:
    op: dict[str, Any]  # the op exactly as first sent (and signed)
    acked_seq: int | None = None  # decided at this server seq; shown until pulled
    attempts: int = 0

    @property
    def op_id(self) -> uuid.UUID:
        return uuid.UUID(self.op["op_id"])


@dataclass
class Notice:
    """Something the person must see: a rejected op (needs action) or a merge that lost fields."""

    op_id: uuid.UUID
    kind: str
    code: str
    reason: str
    needs_action: bool
    current: dict[str, Any] | None = None


@dataclass
class SyncClient:
    device_id: uuid.UUID
    person_id: uuid.UUID
    now: Callable[[], int]
    outbox: dict[uuid.UUID, Pending] = field(default_factory=dict)
    entities: dict[Key, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    notices: dict[uuid.UUID, Notice] = field(default_factory=dict)
    cursor: int = 0
    scope: str = ""
    results: dict[uuid.UUID, list[Final]] = field(default_factory=dict)  # every decided answer seen
    new_id: Callable[[], uuid.UUID] = uuid.uuid4

    def __post_init__(self) -> None:
        self.clock = HlcClock(str(self.device_id))

    # --- recording ---------------------------------------------------------------------------
    def record(
        self,
        kind: str,
        entity: str,
        entity_id: uuid.UUID,
        args: dict[str, Any],
        base_version: int | None = None,
        sign: Callable[[bytes], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Put an op in the outbox (works offline); `sign` makes a passkey assertion over its hash."""
        op: dict[str, Any] = {
            "op_id": str(self.new_id()),
            "device_id": str(self.device_id),
            "hlc": str(self.clock.tick(self.now())),
            "kind": kind,
            "entity": entity,
            "entity_id": str(entity_id),
            "args": args,
        }
        if base_version is not None:
            op["base_version"] = base_version
        if sign is not None:
            op["signature"] = sign(op_challenge(op))
        self.outbox[uuid.UUID(op["op_id"])] = Pending(op)
        return op

    def undecided(self) -> list[Pending]:
        return [p for p in self.outbox.values() if p.acked_seq is None]

    # --- push --------------------------------------------------------------------------------
    async def push(self, transport: Transport, batch: int = 100) -> None:
        """Send every undecided op, oldest first; raises TransportError if a request is lost."""
        todo = self.undecided()
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            request = PushRequest(device_id=self.device_id, ops=[p.op for p in chunk], sent_at=self.now())
            response = await transport.push(request)
            for pending, result in zip(chunk, response.results, strict=True):
                self._settle(pending, result)

    def _settle(self, pending: Pending, result: OpResult) -> None:
        final = final_of(result)
        if final is None:
            pending.attempts += 1
            return
        self.results.setdefault(pending.op_id, []).append(final)
        if isinstance(final, Rejected):
            del self.outbox[pending.op_id]
            current = msgspec.to_builtins(final.current) if final.current else None
            self.notices[pending.op_id] = Notice(
                pending.op_id, pending.op["kind"], final.code, final.reason, True, current
            )
            return
        pending.acked_seq = final.server_seq
        if isinstance(final, Merged) and final.lost:
            reason = "较新的修改保留了: " + ", ".join(final.lost)
            self.notices[pending.op_id] = Notice(pending.op_id, pending.op["kind"], "merged", reason, False)

    # --- pull --------------------------------------------------------------------------------
    async def pull(self, transport: Transport, limit: int = 500) -> None:
        while True:
            response = await transport.pull(PullRequest(cursor=self.cursor, limit=limit, scope=self.scope))
            if response.reset:
                self.entities.clear()
            for change in response.changes:
                key = (change.entity, change.entity_id)
                if isinstance(change, Put):
                    self.entities[key] = (change.version, change.data)
                else:
                    self.entities.pop(key, None)
            self.cursor, self.scope = response.cursor, response.scope
            if not response.more:
                break
        for pending in list(self.outbox.values()):  # ops the pulled state now contains
            if pending.acked_seq is not None and pending.acked_seq <= self.cursor:
                del self.outbox[pending.op_id]

    async def sync(self, transport: Transport) -> None:
        await self.push(transport)
        await self.pull(transport)

    # --- the optimistic view ----------------------------------------------------------------
    def view(self) -> dict[Key, dict[str, Any]]:
        """Server state with every op still in the outbox applied on top (same mutators as the server)."""
        state = {key: dict(data) for key, (_, data) in self.entities.items()}
        for pending in self.outbox.values():
            apply_op(state, pending.op, str(self.person_id))
        return state


def apply_op(state: dict[Key, dict[str, Any]], op: dict[str, Any], me: str) -> None:
    """Show one op on a local copy, as the server would apply it if nothing else intervened."""
    kind, args = op["kind"], op["args"]
    key = (op["entity"], uuid.UUID(op["entity_id"]))
    wall = int(op["hlc"].split(":", 1)[0])
    current = state.get(key)
    if kind in ("worker.update_contact", "permit.edit_note"):
        if current is not None:
            state[key] = mutators.update_fields(current, args)
    elif kind == "gas.record":
        permit = state.get(("permit", uuid.UUID(args["permit_id"])))
        state[key] = mutators.gas_reading(
            args,
            recorded_by=me,
            measured_at=wall,
            hlc=op["hlc"],
            permit_status=permit["status"] if permit else None,
        )
    elif kind == "permit.approve" and current is not None:
        state[key] = mutators.approve(current, by=me, at=wall, hlc=op["hlc"])
    elif kind == "permit.cancel" and current is not None:
        state[key] = mutators.cancel(current, by=me, reason=args["reason"])
