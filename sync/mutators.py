"""The pure state changes of each command, run by the reference server after its checks and by
clients to show pending ops on top of server state. TypeScript twins: pwa/src/sync/mutators.ts.

Each takes the target entity's current data (None if it does not exist yet) and returns its new
data. They never check anything: the merge rules and rights are the server's job.
"""

from __future__ import annotations

from typing import Any

CONTACT_FIELDS = ("phone", "locale")
PERMIT_NOTE_FIELDS = ("note",)


def update_fields(data: dict[str, Any] | None, changes: dict[str, Any]) -> dict[str, Any]:
    """lww-field commands: the winning field values replace the old ones."""
    return {**(data or {}), **changes}


def gas_reading(
    args: dict[str, Any], *, recorded_by: str, measured_at: int, hlc: str, permit_status: str | None
) -> dict[str, Any]:
    """gas.record: a new reading; `permit_status` is the permit's status when it arrived."""
    return {
        "permit_id": str(args["permit_id"]),
        "o2_pct": args["o2_pct"],
        "lel_pct": args["lel_pct"],
        "h2s_ppm": args.get("h2s_ppm", 0),
        "co_ppm": args.get("co_ppm", 0),
        "measured_at": measured_at,
        "device_hlc": hlc,
        "recorded_by": recorded_by,
        "permit_status": permit_status,
    }


def approve(data: dict[str, Any], *, by: str, at: int, hlc: str) -> dict[str, Any]:
    """permit.approve: pending → approved, with who and when (server time) and the device HLC."""
    return {**data, "status": "approved", "approved_by": by, "approved_at": at, "approval_hlc": hlc}


def cancel(data: dict[str, Any], *, by: str, reason: str) -> dict[str, Any]:
    """permit.cancel: → cancelled, with who and why."""
    return {**data, "status": "cancelled", "cancelled_by": by, "cancel_reason": reason}
