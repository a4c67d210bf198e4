"""Where an alarm happened: the site and its areas (cached briefly), area from GPS, plan pixels, routing path.

An edge node raising fifty alarms a second on one site should not read the site's org units and
area polygons fifty times a second: a site's layout is kept for `CACHE_SECONDS` per process, so
an area added or renamed shows up in alarms within half a minute.
"""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms import geo
from backend.core.errors import Invalid, NotFound
from backend.org.models import Area, OrgUnit

CACHE_SECONDS = 30.0
MAX_IMAGE = 512 * 1024


@dataclass(frozen=True)
class AreaInfo:
    id: uuid.UUID
    code: str
    name: str
    focus_path: str  # its workshop's path (routing looks there), else the site's
    plan_polygon: list[Any]
    gps_polygon: list[Any] | None


@dataclass(frozen=True)
class SiteInfo:
    id: uuid.UUID
    code: str
    name: str
    path: str
    areas: dict[str, AreaInfo]  # by code
    gps_to_plan: geo.GpsToPlan

    def area(self, area_id: uuid.UUID | None) -> AreaInfo | None:
        return next((a for a in self.areas.values() if a.id == area_id), None) if area_id else None

    def area_by_code(self, code: str | None) -> AreaInfo | None:
        if not code:
            return None
        if code not in self.areas:
            raise Invalid(f"厂区 {self.code} 没有区域 {code}", code="area_unknown")
        return self.areas[code]

    def locate(
        self, area: AreaInfo | None, xy: tuple[int, int] | None, gps: tuple[float, float] | None
    ) -> tuple[AreaInfo | None, tuple[int, int] | None]:
        """Fill in what the raiser did not say: the area from GPS, the plan position from GPS or the area."""
        if gps is not None:
            lat, lon = gps
            if area is None:
                area = next(
                    (
                        a
                        for a in self.areas.values()
                        if a.gps_polygon and geo.inside((lon, lat), a.gps_polygon)
                    ),
                    None,
                )
            if xy is None:
                xy = self.gps_to_plan(lat, lon)
        if area is None and xy is not None:  # a wristband's plan position (UWB/BLE) picks its area too
            area = next(
                (a for a in self.areas.values() if a.plan_polygon and geo.inside(xy, a.plan_polygon)), None
            )
        if xy is None and area is not None and area.plan_polygon:
            xy = geo.centroid(area.plan_polygon)
        return area, xy


_cache: dict[uuid.UUID, tuple[float, SiteInfo]] = {}


async def site_info(db: AsyncSession, site_id: uuid.UUID) -> SiteInfo:
    """The site with its areas, from the cache when fresh (two queries when not)."""
    cached = _cache.get(site_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    site = await db.get(OrgUnit, site_id)
    if site is None or site.kind != "site":
        raise NotFound("厂区不存在", code="unit_unknown")
    rows = (
        await db.execute(
            select(Area, OrgUnit.path)
            .outerjoin(OrgUnit, OrgUnit.id == Area.workshop_id)
            .where(Area.site_id == site_id, Area.deleted_at.is_(None))
        )
    ).all()
    areas = {
        a.code: AreaInfo(a.id, a.code, a.name, workshop_path or site.path, a.plan_polygon, a.gps_polygon)
        for a, workshop_path in rows
    }
    info = SiteInfo(
        site.id, site.code, site.name, site.path, areas, geo.GpsToPlan.from_areas(list(areas.values()))
    )
    _cache[site_id] = (time.monotonic() + CACHE_SECONDS, info)
    return info


def store_image(media_dir: Path, alarm_id: uuid.UUID, now: datetime, data: str) -> str:
    """Keep the edge's JPEG snapshot (tier 2 is an image alert); returns its path under media_dir."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("snapshot_jpeg 不是 base64", code="snapshot_invalid") from None
    if len(raw) > MAX_IMAGE or not raw.startswith(b"\xff\xd8\xff"):
        raise Invalid("快照必须是不超过 512 KiB 的 JPEG", code="snapshot_invalid")
    relative = f"alarms/{now:%Y/%m}/{alarm_id}.jpg"
    path = media_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return relative
