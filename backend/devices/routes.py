"""Device endpoints: registration by an admin, status reports from devices, status for the board."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from backend.alarms.access import require_watch
from backend.auth.models import Device
from backend.bus.after_commit import publish_after_commit
from backend.core.errors import Forbidden, NotFound
from backend.devices import commands, service
from backend.devices.commands import command_out
from backend.devices.schemas import (
    CommandOut,
    CommandResultIn,
    DeviceCreate,
    DeviceOut,
    DeviceStatusOut,
    InterlockResetIn,
    TelemetryIn,
)
from backend.http.deps import Caller, Db, Now
from backend.org.models import OrgUnit
from backend.people.service import unit_by_code
from backend.permits import active as active_permits
from backend.permits.schemas import ActivePermitOut

BOARD_TOPIC = "board"

# Headers of a device request (docs/alarms.md "Device requests").
TIMESTAMP_HEADER = "x-tezuo-timestamp"
NONCE_HEADER = "x-tezuo-nonce"


async def provide_device(request: Request[Any, Any, Any], db: Db, now: Now) -> Device:
    """The authenticated device of this request (bearer token, fresh timestamp, unused nonce)."""
    return await service.authenticate(
        db,
        authorization=request.headers.get("authorization"),
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        nonce=request.headers.get(NONCE_HEADER),
        now=now,
    )


DeviceCaller = NamedDependency[Device]
DEVICE_AUTH = {"device": Provide(provide_device)}


class DevicesController(Controller):
    path = "/api/devices"
    tags = ["devices"]

    @post("/", operation_id="createDevice")
    async def create(self, data: JSONBody[DeviceCreate], db: Db, principal: Caller, now: Now) -> DeviceOut:
        site = await unit_by_code(db, data.site_code)
        principal.require(("admin",), site.path)
        device, token = await service.create_device(
            db, kind=data.kind, name=data.name, site=site, person_id=data.person_id, now=now
        )
        return DeviceOut(
            id=device.id,
            kind=device.kind,
            name=device.name,
            site_id=device.site_id,
            person_id=device.person_id,
            token=token,
        )

    @post("/telemetry", operation_id="reportTelemetry", dependencies=DEVICE_AUTH, status_code=202)
    async def telemetry(
        self, data: JSONBody[TelemetryIn], db: Db, device: DeviceCaller, now: Now
    ) -> dict[str, Any]:
        status = await service.record_status(db, device, data, now)
        if device.site_id is not None:
            out = service.status_out(status, device, None, now)
            event = {"type": "device", "site_id": str(device.site_id), "device": msgspec.to_builtins(out)}
            publish_after_commit(db, BOARD_TOPIC, event)
        return {"ok": True}

    @get("/permits", operation_id="listDevicePermits", dependencies=DEVICE_AUTH)
    async def permits(self, db: Db, device: DeviceCaller, now: Now) -> list[ActivePermitOut]:
        """The permits in force on the device's site, for an edge node's offline cache."""
        if device.kind != "edge" or device.site_id is None:
            raise Forbidden("只有登记在厂区的边缘节点可以查询作业票", code="device_kind")
        return await active_permits.for_site(db, device.site_id, now)

    @post("/{device_id:uuid}/interlock-reset", operation_id="resetInterlock", status_code=201)
    async def interlock_reset(
        self,
        data: JSONBody[InterlockResetIn],
        db: Db,
        principal: Caller,
        now: Now,
        device_id: FromPath[uuid.UUID],
    ) -> CommandOut:
        """A safety officer clears a power cut the edge node latched; the node picks it up and reports."""
        return command_out(await commands.request_reset(db, principal, device_id, data, now))

    @get("/commands", operation_id="listDeviceCommands", dependencies=DEVICE_AUTH)
    async def pending_commands(self, db: Db, device: DeviceCaller) -> list[CommandOut]:
        return [command_out(c) for c in await commands.pending(db, device)]

    @post(
        "/commands/{command_id:uuid}/result",
        operation_id="reportCommand",
        dependencies=DEVICE_AUTH,
        status_code=200,
    )
    async def command_result(
        self,
        data: JSONBody[CommandResultIn],
        db: Db,
        device: DeviceCaller,
        now: Now,
        command_id: FromPath[uuid.UUID],
    ) -> CommandOut:
        return command_out(await commands.report(db, device, command_id, data, now))

    @get("/status", operation_id="listDeviceStatus")
    async def status(
        self, db: Db, principal: Caller, now: Now, site_id: FromQuery[uuid.UUID]
    ) -> list[DeviceStatusOut]:
        site = await db.get(OrgUnit, site_id)
        if site is None:
            raise NotFound("厂区不存在", code="unit_unknown")
        require_watch(principal, site.path)
        return await service.site_status(db, site_id, now)
