"""Commands for devices: a person asks (audited), the device fetches, acts and reports (audited)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.auth.models import Device
from backend.auth.principal import Principal
from backend.core.errors import Conflict, Invalid, NotFound
from backend.devices.models import DeviceCommand
from backend.devices.schemas import CommandOut, CommandResultIn, InterlockResetIn
from backend.org.models import OrgUnit

# Who may clear a power cut: the site's safety officer or an admin (not the person who tripped it).
RESET_ROLES = ("admin", "safety_officer")


def command_out(c: DeviceCommand) -> CommandOut:
    return CommandOut(
        id=c.id,
        kind=c.kind,
        payload=dict(c.payload),
        reason=c.reason,
        requested_at=c.requested_at,
        done_at=c.done_at,
        result=c.result,
        result_detail=c.result_detail,
    )


async def request_reset(
    db: AsyncSession, who: Principal, device_id: uuid.UUID, data: InterlockResetIn, now: datetime
) -> DeviceCommand:
    device = await db.get(Device, device_id)
    if device is None or device.site_id is None:
        raise NotFound("设备不存在", code="device_unknown")
    site = await db.get(OrgUnit, device.site_id)
    assert site is not None
    who.require(RESET_ROLES, site.path)
    if device.kind != "edge":
        raise Invalid("只有边缘节点有联锁", code="device_kind")
    command = DeviceCommand(
        device_id=device.id,
        kind="interlock_reset",
        payload={"coil": data.coil},
        reason=data.reason,
        requested_by=who.person_id,
        requested_at=now,
    )
    db.add(command)
    await db.flush()
    await audit.record(
        db,
        now,
        action="interlock.reset_requested",
        entity="device",
        entity_id=device.id,
        actor_id=who.person_id,
        details={"command_id": str(command.id), "coil": data.coil, "reason": data.reason},
    )
    return command


async def pending(db: AsyncSession, device: Device) -> list[DeviceCommand]:
    rows = await db.scalars(
        select(DeviceCommand)
        .where(DeviceCommand.device_id == device.id, DeviceCommand.done_at.is_(None))
        .order_by(DeviceCommand.requested_at, DeviceCommand.id)
    )
    return list(rows)


async def report(
    db: AsyncSession, device: Device, command_id: uuid.UUID, data: CommandResultIn, now: datetime
) -> DeviceCommand:
    command = await db.get(DeviceCommand, command_id)
    if command is None or command.device_id != device.id:
        raise NotFound("指令不存在", code="command_unknown")
    if command.done_at is not None:
        if command.result == ("done" if data.ok else "failed"):
            return command  # the device retried a report whose answer it lost
        raise Conflict("指令已有结果", code="command_done")
    command.done_at, command.result, command.result_detail = now, "done" if data.ok else "failed", data.detail
    await audit.record(
        db,
        now,
        action=f"interlock.reset_{command.result}",
        entity="device",
        entity_id=device.id,
        details={"command_id": str(command.id), **command.payload, "detail": data.detail},
    )
    return command
