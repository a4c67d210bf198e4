"""A test-only site for the sync browser test: the real app plus a tiny permit model.

The permit engine does not exist yet, so this registers `gas.record`, `permit.approve` (signed)
and `permit.cancel` into the app's sync registry the way a domain will, over two test tables
that are not part of the migrations. The rules mirror sync/reference.py.

    python -m tests.e2e.sync_site seed   # create the test tables and one permit (env: TEZUO_*)
    python -m tests.e2e.sync_site serve --port 8123
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from typing import Annotated, Any

import msgspec
from sqlalchemy import BigInteger, Float, MetaData, String, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from backend.core.errors import Forbidden, Invalid, NotFound
from backend.db.base import NAMING, Base, Syncable
from backend.db.changes import snapshot
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.sync.context import SyncContext, command
from backend.sync.registry import DOMAINS
from sync import mutators
from sync.messages import EntityState, Operation
from sync.rules import Effect, Registry, Reject, Rule, Stamp

PERMIT_ID = uuid.UUID("0195f000-0000-7000-8000-0000000e2e01")
SCOPE = "/E2E/E2E-S1/E2E-W1/"
RECORDERS = ("guardian", "safety_officer", "inspector", "team_leader")
APPROVERS = ("safety_officer", "workshop_director", "vice_president")
CANCELLERS = ("team_leader", "safety_officer", "workshop_director")


class TestBase(DeclarativeBase):
    """Tables of this test only: created by `seed`, never part of the migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = Base.type_annotation_map


class E2EPermit(Syncable, TestBase):
    __tablename__ = "e2e_permits"
    __sync_entity__ = "permit"

    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    scope_path: Mapped[str] = mapped_column(String(400))
    note: Mapped[str] = mapped_column(String(500), default="")
    approved_by: Mapped[str | None] = mapped_column(String(40), default=None)
    approved_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    approval_hlc: Mapped[str | None] = mapped_column(String(100), default=None)
    cancelled_by: Mapped[str | None] = mapped_column(String(40), default=None)
    cancel_reason: Mapped[str | None] = mapped_column(String(200), default=None)

    def sync_scope_path(self) -> str:
        return self.scope_path


class E2EGasReading(Syncable, TestBase):
    __tablename__ = "e2e_gas_readings"
    __sync_entity__ = "gas_reading"
    __sync_owner__ = "recorded_by"

    permit_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    o2_pct: Mapped[float] = mapped_column(Float)
    lel_pct: Mapped[float] = mapped_column(Float)
    h2s_ppm: Mapped[float] = mapped_column(Float)
    co_ppm: Mapped[float] = mapped_column(Float)
    measured_at: Mapped[int] = mapped_column(BigInteger)
    device_hlc: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    permit_status: Mapped[str] = mapped_column(String(16))
    scope_path: Mapped[str] = mapped_column(String(400))

    def sync_scope_path(self) -> str:
        return self.scope_path


def _apply(row: Any, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(row, name, value)


def _state(permit: E2EPermit) -> EntityState:
    return EntityState(entity="permit", entity_id=permit.id, version=permit.version, data=snapshot(permit))


async def _permit(ctx: SyncContext, permit_id: uuid.UUID) -> E2EPermit:
    permit = await ctx.db.get(E2EPermit, permit_id)
    if permit is None:
        raise NotFound("作业票不存在", code="permit_unknown")
    return permit


class GasReadingIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    permit_id: uuid.UUID
    o2_pct: Annotated[float, msgspec.Meta(ge=0, le=100)]
    lel_pct: Annotated[float, msgspec.Meta(ge=0, le=100)]
    h2s_ppm: Annotated[float, msgspec.Meta(ge=0, le=10_000)] = 0
    co_ppm: Annotated[float, msgspec.Meta(ge=0, le=10_000)] = 0


@command("gas.record", Rule.APPEND, GasReadingIn, "gas_reading")
async def record_gas(ctx: SyncContext, op: Operation, args: GasReadingIn, stamp: Stamp) -> Effect:
    permit = await _permit(ctx, args.permit_id)
    if not ctx.principal.has_role(RECORDERS, permit.scope_path):
        raise Forbidden("您不是该作业的监护人或安全员", code="role_required")
    if await ctx.db.get(E2EGasReading, op.entity_id) is not None:
        raise Invalid("该读数编号已存在", code="entity_exists")
    data = mutators.gas_reading(
        msgspec.to_builtins(args),
        recorded_by=str(ctx.principal.person_id),
        measured_at=stamp.at,
        hlc=op.hlc,
        permit_status=permit.status,
    )
    data["permit_id"] = args.permit_id
    data["recorded_by"] = ctx.principal.person_id
    reading = E2EGasReading(id=op.entity_id, scope_path=permit.scope_path)
    _apply(reading, data)
    ctx.db.add(reading)
    return Effect(target=reading)


class ApproveIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    comment: str = ""


@command("permit.approve", Rule.SIGNED_GUARDED, ApproveIn, "permit")
async def approve(ctx: SyncContext, op: Operation, args: ApproveIn, stamp: Stamp) -> Effect:
    permit = await _permit(ctx, op.entity_id)
    if not ctx.principal.has_role(APPROVERS, permit.scope_path):
        raise Reject("role_required", "您已不再具有该作业票的审批权限", _state(permit))
    if permit.status != "pending":
        raise Reject("state_changed", f"作业票当前状态为「{permit.status}」，不能审批", _state(permit))
    if op.base_version != permit.version:
        raise Reject("stale", "作业票在您审批时之后已被修改，请重新查看后再审批", _state(permit))
    now_ms = int(ctx.now.timestamp() * 1000)
    data = mutators.approve({}, by=str(ctx.principal.person_id), at=now_ms, hlc=op.hlc)
    _apply(permit, data)
    return Effect(target=permit)


class CancelIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


@command("permit.cancel", Rule.GUARDED, CancelIn, "permit")
async def cancel(ctx: SyncContext, op: Operation, args: CancelIn, stamp: Stamp) -> Effect:
    permit = await _permit(ctx, op.entity_id)
    if not ctx.principal.has_role(CANCELLERS, permit.scope_path):
        raise Reject("role_required", "您没有取消该作业票的权限", _state(permit))
    if permit.status not in ("pending", "approved"):
        raise Reject("state_changed", f"作业票当前状态为「{permit.status}」，不能取消", _state(permit))
    _apply(permit, mutators.cancel({}, by=str(ctx.principal.person_id), reason=args.reason))
    return Effect(target=permit)


def registry() -> Registry[SyncContext]:
    """The app's commands, except the permits module's own (this site's test model replaces them)."""
    import importlib

    out: Registry[SyncContext] = Registry()
    for path in DOMAINS:
        module, _, function = path.partition(":")
        if module != "backend.permits.commands":
            getattr(importlib.import_module(module), function)(out)
    for extra in (record_gas, approve, cancel):
        out.add(extra)
    return out


async def seed(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(TestBase.metadata.create_all)
    async with transaction(make_sessionmaker(engine)) as db:
        if await db.scalar(select(E2EPermit).where(E2EPermit.id == PERMIT_ID)) is None:
            db.add(E2EPermit(id=PERMIT_ID, title="聚合釜检修动火作业", scope_path=SCOPE))
    await engine.dispose()


def main() -> None:
    import uvicorn

    from backend.app import create_app
    from backend.config import load_settings

    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["seed", "serve"])
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    settings = load_settings()
    if args.what == "seed":
        asyncio.run(seed(settings.database_url))
        return
    app = create_app(settings)
    app.state.sync_registry = registry()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
