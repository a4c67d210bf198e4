"""What the node exchanges with the API besides its queue: the permit cache, commands, health reports."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httpx
import msgspec

from edge.interlock import InterlockFault
from edge.rules.permits import ActivePermit

if TYPE_CHECKING:
    from edge.node import Node

log = logging.getLogger("edge.node")


async def refresh_permits(node: Node) -> bool:
    """Pull the active permits of this node's site; on failure keep judging with the cached ones."""
    try:
        raw = await node.uplink.get_json("/api/devices/permits")
    except (httpx.HTTPError, ValueError) as exc:
        log.info("permits not refreshed (%s); using %d cached", exc, len(node.permits.permits))
        return False
    node.permits.permits = msgspec.convert(raw, list[ActivePermit])
    node.permits.fetched_at = node.clock()
    node.outbox.remember("permits", node.permits.dump())
    return True


async def apply_commands(node: Node) -> int:
    """Carry out what authorised people asked through the API (today: interlock resets), report each.

    A command is carried out once: its outcome is kept on the node until the server has the report.
    A reset replayed after a lost report would clear a new cut made in between (a fresh violation),
    so a command already carried out is only reported again, never run again."""
    try:
        commands = await node.uplink.get_json("/api/devices/commands")
    except (httpx.HTTPError, ValueError):
        return 0
    carried: dict[str, list[Any]] = node.outbox.recall("carried_out_commands") or {}
    done = 0
    coils = {z.power_coil for z in node.config.zones if z.cut_power}
    for c in commands:
        cid = str(c["id"])
        if cid in carried:
            ok, detail = carried[cid]
        else:
            ok, detail = await _carry_out(node, c, coils)
            carried[cid] = [ok, detail]
            node.outbox.remember("carried_out_commands", carried)
        try:
            res = await node.uplink.post_json(
                f"/api/devices/commands/{cid}/result", {"ok": ok, "detail": detail}
            )
        except httpx.HTTPError:
            return done  # reported next round, from what was kept
        if res.status_code < 300 or res.status_code in (404, 409):  # recorded, or no longer pending
            carried.pop(cid, None)
            node.outbox.remember("carried_out_commands", carried)
        done += res.status_code < 300
    return done


async def _carry_out(node: Node, c: dict[str, Any], coils: set[int | None]) -> tuple[bool, str]:
    if c["kind"] != "interlock_reset" or node.interlock is None:
        return False, "unsupported command"
    coil = int(c["payload"].get("coil", -1))
    if coil not in coils:
        return False, f"coil {coil} is no zone's power cut on this node"
    try:
        action = await node.interlock.reset(coil, f"command {c['id']}: {c['reason']}")
    except InterlockFault as exc:
        return False, str(exc)[:200]
    return True, "dry-run: nothing written" if action.dry_run else "coil cleared, read back"


def health(node: Node) -> dict[str, Any]:
    now = node.clock()
    components: list[dict[str, str]] = []
    for d in node.config.gas:
        latest = node.gas.latest.get(d.code)
        age = (now - latest.at).total_seconds() if latest else None
        bad = latest is None or age is None or age > 3 * d.interval_s + 5
        components.append(
            {
                "name": d.code,
                "kind": "gas",
                "health": "fault" if bad else "ok",
                "detail": f"{latest.value:g} @ {age:.0f}s" if latest and age is not None else "no reading",
            }
        )
    for p in node.config.scada:
        sample = node.scada.latest.get(p.tag)
        age = (now - sample[0]).total_seconds() if sample else None
        stale = sample is None or age is None or age > 3 * p.interval_s + 5
        components.append(
            {
                "name": p.tag,
                "kind": "scada",
                "health": "fault" if stale else "ok",
                "detail": f"{sample[1]:g} @ {age:.0f}s" if sample and age is not None else "no sample",
            }
        )
    for name, fault in node.camera_faults.items():
        components.append({"name": name, "kind": "camera", "health": "fault", "detail": fault})
    for name, fps in node.fps.items():
        if name in node.camera_faults:
            continue
        components.append(
            {
                "name": name,
                "kind": "camera",
                "health": "ok" if fps > 0 else "fault",
                "detail": f"{fps:.1f} fps",
            }
        )
    if node.interlock is not None:
        components.append(
            {
                "name": "plc",
                "kind": "interlock",
                "health": "fault" if node.interlock.fault else "ok",
                "detail": (node.interlock.fault or f"latched {sorted(node.interlock.latched)}")[:200],
            }
        )
    if node.wearables is not None:
        components.append(node.wearables.health())
    components.append(
        {
            "name": "queue",
            "kind": "uplink",
            "health": "ok",
            "detail": f"depth {node.outbox.depth()} (clips {len(node.outbox.clips())}), "
            f"dead {len(node.outbox.dead())}",
        }
    )
    overall = "ok" if all(c["health"] == "ok" for c in components) else "degraded"
    return {"health": overall, "components": components[:64]}


async def report_health(node: Node) -> bool:
    try:
        res = await node.uplink.post_json("/api/devices/telemetry", node.health())
    except httpx.HTTPError:
        return False
    return res.status_code < 300
