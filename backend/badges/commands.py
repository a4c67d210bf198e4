"""The badges domain's sync command: `badge.scan` (append) — every scan lands in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.badges import service
from backend.badges.schemas import ScanArgs
from backend.sync.context import SyncContext, command
from sync.messages import Operation
from sync.rules import Effect, Registry, Reject, Rule, Stamp


@command("badge.scan", Rule.APPEND, ScanArgs, "badge_scan")
async def scan(ctx: SyncContext, op: Operation, args: ScanArgs, stamp: Stamp) -> Effect:
    """Log a scan: who (the caller), whom (the code's worker), where, when (the op's corrected
    time), the device's verdict and the server's. Refused before any write if the caller may not
    inspect, or the entity id is already a scan."""
    if not ctx.principal.has_role(service.INSPECTING):
        raise Reject("role_required", "仅巡检员、安全员等可记录扫码核验")
    if await ctx.db.get(service.BadgeScan, op.entity_id) is not None:
        raise Reject("scan_exists", "该扫码记录已存在")
    scanned_at = datetime.fromtimestamp(stamp.at / 1000, UTC)
    row = await service.record_scan(
        ctx.db, ctx.settings, ctx.principal, op.entity_id, args, scanned_at, ctx.now
    )
    return Effect(target=row)


def register(registry: Registry[SyncContext]) -> None:
    registry.add(scan)
