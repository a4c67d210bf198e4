"""Organisation endpoints: units in scope, a site's map with areas and safety features."""

from __future__ import annotations

import uuid
from pathlib import Path

from litestar import Controller, get
from litestar.params import FromPath
from litestar.response import File

from backend.http.deps import Caller, Conf, Db
from backend.org import service
from backend.org.schemas import SiteMapOut, UnitOut


class OrgController(Controller):
    path = "/api/org"
    tags = ["org"]

    @get("/units", operation_id="listUnits")
    async def units(self, db: Db, principal: Caller) -> list[UnitOut]:
        return await service.list_units(db, principal)

    @get("/units/{unit_id:uuid}", operation_id="getUnit")
    async def unit(self, db: Db, principal: Caller, unit_id: FromPath[uuid.UUID]) -> UnitOut:
        return await service.read_unit(db, principal, unit_id)

    @get("/sites/{site_id:uuid}/map", operation_id="getSiteMap")
    async def site_map(self, db: Db, principal: Caller, site_id: FromPath[uuid.UUID]) -> SiteMapOut:
        return await service.site_map(db, principal, site_id)

    @get("/sites/{site_id:uuid}/plan.png", operation_id="getSitePlan", media_type="image/png")
    async def plan(self, db: Db, principal: Caller, settings: Conf, site_id: FromPath[uuid.UUID]) -> File:
        relative = await service.plan_image_path(db, principal, site_id)
        return File(path=Path(settings.media_dir) / relative, content_disposition_type="inline")
