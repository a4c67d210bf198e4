"""Gas endpoints: readings from edge nodes (device token), detectors, an area's live lock."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from backend.auth.models import Device
from backend.core.errors import Forbidden, NotFound
from backend.gas import service
from backend.gas.schemas import DetectorIn, DetectorOut, LockState, ReadingsIn, ReadingsOut
from backend.http.deps import Caller, Conf, Db, Now
from backend.org.models import Area
from backend.permits import gaslock
from backend.permits.catalogue import policy


def _bearer(request: Request[Any, Any, Any]) -> str | None:
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else None


class GasController(Controller):
    path = "/api/gas"
    tags = ["gas"]

    @post("/readings", operation_id="ingestGasReadings", status_code=200)
    async def readings(
        self, request: Request[Any, Any, Any], data: JSONBody[ReadingsIn], db: Db, settings: Conf, now: Now
    ) -> ReadingsOut:
        """Edge nodes post readings with `Authorization: Bearer <device token>`."""
        pol = policy(settings.data_dir)
        device = await service.device_for_token(db, _bearer(request), now)
        rows = await service.ingest(db, device, data.readings, now, pol.gas)
        suspended = await gaslock.on_readings(db, rows, now, pol)
        return ReadingsOut(
            accepted=len(rows),
            out_of_limits=sum(1 for r in rows if not r.within_limits),
            suspended_permits=[p.number for p in suspended],
        )

    @post("/detectors", operation_id="registerDetector")
    async def detector(self, data: JSONBody[DetectorIn], db: Db, principal: Caller) -> DetectorOut:
        area = await db.get(Area, data.area_id)
        if area is None:
            raise NotFound("作业区域不存在", code="area_unknown")
        principal.require(("admin", "safety_officer"), area.scope_path)
        device = await db.get(Device, data.device_id) if data.device_id else None
        row = await service.register_detector(
            db, area, data.code, data.name, data.gas, data.kind, device, area.scope_path
        )
        return DetectorOut(
            id=row.id, code=row.code, name=row.name, area_id=row.area_id, gas=row.gas, kind=row.kind
        )

    @get("/areas/{area_id:uuid}/lock", operation_id="areaGasLock")
    async def lock(
        self, db: Db, principal: Caller, settings: Conf, now: Now, area_id: FromPath[uuid.UUID]
    ) -> LockState:
        area = await db.get(Area, area_id)
        if area is None:
            raise NotFound("作业区域不存在", code="area_unknown")
        if not principal.can_see_unit(area.scope_path):
            raise Forbidden("无权查看该区域", code="out_of_scope")
        return await service.lock_state(db, area_id, now, policy(settings.data_dir).gas)
