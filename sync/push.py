"""The push algorithm, shared by the reference server and the real one.

A batch is decided op by op: decode, order by the device's HLC, answer known op ids from
stored results, verify signatures, run each command's handler, then commit once and store one
result per decided op in the same transaction. A bad op is one rejection, never a failed batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Generic, Protocol

import msgspec

from sync.canonical import op_challenge
from sync.hlc import Hlc
from sync.messages import (
    Applied,
    Deferred,
    Duplicate,
    Final,
    Merged,
    Operation,
    OpResult,
    PushRequest,
    PushResponse,
    Rejected,
)
from sync.rules import Command, Ctx, Defer, Effect, Registry, Reject, Rule, Stamp, clock_skew, effective_ms

MAX_BATCH = 500


@dataclass(frozen=True)
class Stored:
    """A result decided earlier, with whose it was (an op id belongs to one device forever)."""

    device_id: uuid.UUID
    result: Final


@dataclass(frozen=True)
class Decided:
    """A result to store: the op and its final outcome."""

    op: Operation
    result: Final


class PushServer(Protocol, Generic[Ctx]):
    """What a server implementation supplies to `push` for one request (one transaction)."""

    registry: Registry[Ctx]
    ctx: Ctx

    async def stored(self, op_ids: list[uuid.UUID]) -> dict[uuid.UUID, Stored]: ...

    async def prefetch(self, ops: list[Operation]) -> None: ...

    async def verify(self, op: Operation, challenge: bytes) -> None:
        """Check the op's passkey assertion over `challenge`; raise Reject if it does not hold."""
        ...

    async def run(self, command: Command[Ctx], op: Operation, args: Any, stamp: Stamp) -> Effect:
        """Call the command's handler (a server may isolate it; raise Defer on its own faults)."""
        ...

    async def commit(self) -> int:
        """Write what the handlers changed (versions, change log); return the server seq reached."""
        ...

    def version_of(self, target: Any) -> int: ...

    async def store(self, decided: list[Decided]) -> None: ...


@dataclass
class _Item:
    index: int
    op: Operation
    hlc: Hlc
    raw: dict[str, Any]


def _op_id_of(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw["op_id"]))
    except (KeyError, TypeError, ValueError):
        return None


def _decode(index: int, raw: Any, device_id: uuid.UUID) -> _Item | Rejected:
    op_id = _op_id_of(raw)
    try:
        op = msgspec.convert(raw, Operation)
        hlc = Hlc.parse(op.hlc)
    except (msgspec.ValidationError, ValueError) as exc:
        return Rejected(op_id=op_id, code="malformed_op", reason=f"操作格式错误: {exc}")
    if op.device_id != device_id or hlc.node != str(device_id):
        return Rejected(op_id=op_id, code="device_mismatch", reason="操作不属于推送它的设备")
    return _Item(index, op, hlc, raw)


async def push(server: PushServer[Ctx], request: PushRequest, now_ms: int) -> PushResponse:
    """Decide every op of a batch; `results[i]` answers `request.ops[i]`."""
    results: list[OpResult | None] = [None] * len(request.ops)
    items: list[_Item] = []
    for index, raw in enumerate(request.ops):
        decoded = _decode(index, raw, request.device_id)
        if isinstance(decoded, Rejected):
            results[index] = decoded
        else:
            items.append(decoded)
    # A device's ops apply in its own HLC order, whatever order the batch lists them in.
    items.sort(key=lambda item: item.hlc)

    stored = await server.stored(sorted({item.op.op_id for item in items}))
    first: dict[uuid.UUID, _Item] = {}
    todo: list[_Item] = []
    for item in items:
        op_id = item.op.op_id
        earlier = stored.get(op_id)
        if earlier is not None:
            results[item.index] = (
                Duplicate(op_id=op_id, original=earlier.result)
                if earlier.device_id == item.op.device_id
                else Rejected(op_id=op_id, code="op_id_taken", reason="该操作编号已被其他设备使用")
            )
        elif op_id in first:
            continue  # the same op twice in one batch: answered below from the first copy
        else:
            first[op_id] = item
            todo.append(item)

    await server.prefetch([item.op for item in todo])
    skew = clock_skew(request.sent_at, now_ms)
    effects: dict[uuid.UUID, Effect] = {}
    decided: dict[uuid.UUID, Final | Deferred] = {}
    for item in todo:
        outcome = await _decide(
            server,
            item,
            Stamp(effective_ms(item.hlc.wall, skew, now_ms), item.op.hlc, str(item.op.device_id)),
        )
        if isinstance(outcome, Effect):
            effects[item.op.op_id] = outcome
        else:
            decided[item.op.op_id] = outcome

    server_seq = await server.commit()
    for op_id, effect in effects.items():
        version = server.version_of(effect.target)
        decided[op_id] = (
            Merged(op_id=op_id, version=version, server_seq=server_seq, lost=effect.lost)
            if effect.stale or effect.lost
            else Applied(op_id=op_id, version=version, server_seq=server_seq)
        )
    await server.store(
        [
            Decided(item.op, outcome)
            for item in todo
            if not isinstance(outcome := decided[item.op.op_id], Deferred)
        ]
    )

    for item in items:
        if results[item.index] is None:
            outcome = decided[item.op.op_id]
            is_copy = first[item.op.op_id] is not item
            results[item.index] = (
                Duplicate(op_id=item.op.op_id, original=outcome)
                if is_copy and not isinstance(outcome, Deferred)
                else outcome
            )
    return PushResponse(results=[r for r in results if r is not None], server_time=now_ms)


async def _decide(server: PushServer[Ctx], item: _Item, stamp: Stamp) -> Effect | Final | Deferred:
    op = item.op
    command = server.registry.get(op.kind)
    if command is None:
        # Probably a newer app than this server: keep the op on the device, do not decide it.
        return Deferred(op_id=op.op_id, code="unknown_kind", reason=f"服务器尚不支持 {op.kind}")
    if command.entity != op.entity:
        return Rejected(op_id=op.op_id, code="wrong_entity", reason=f"{op.kind} 不作用于 {op.entity}")
    try:
        args = msgspec.convert(op.args, command.args)
    except msgspec.ValidationError as exc:
        return Rejected(op_id=op.op_id, code="invalid_args", reason=f"参数无效: {exc}")
    try:
        if command.rule is Rule.SIGNED_GUARDED:
            if not op.signature:
                raise Reject("signature_missing", "审批操作必须由本人通行密钥签名")
            if not command.own_signature:
                await server.verify(op, op_challenge(item.raw))
        return await server.run(command, op, args, stamp)
    except Reject as rejection:
        return Rejected(
            op_id=op.op_id, code=rejection.code, reason=rejection.reason, current=rejection.current
        )
    except Defer as fault:
        return Deferred(op_id=op.op_id, code=fault.code, reason=fault.reason)
