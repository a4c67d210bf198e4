"""Organisation endpoints: units in scope, a site's map with areas and safety features."""

from __future__ import annotations

import uuid
from pathlib import Path

from litestar import Controller, get
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.config import Settings
from backend.org import service
from backend.org.schemas import SiteMapOut, UnitOut


class OrgController(Controller):
    path = "/api/org"
    tags = ["org"]

    @get("/units", operation_id="listUnits")
    async def units(self, db: AsyncSession, principal: Principal) -> list[UnitOut]:
        return await service.list_units(db, principal)

    @get("/units/{unit_id:uuid}", operation_id="getUnit")
    async def unit(self, db: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> UnitOut:
        return await service.read_unit(db, principal, unit_id)

    @get("/sites/{site_id:uuid}/map", operation_id="getSiteMap")
    async def site_map(self, db: AsyncSession, principal: Principal, site_id: uuid.UUID) -> SiteMapOut:
        return await service.site_map(db, principal, site_id)

    @get("/sites/{site_id:uuid}/plan.png", operation_id="getSitePlan", media_type="image/png")
    async def plan(self, db: AsyncSession, principal: Principal, settings: Settings, site_id: uuid.UUID) -> File:
        relative = await service.plan_image_path(db, principal, site_id)
        return File(path=Path(settings.media_dir) / relative, content_disposition_type="inline")
