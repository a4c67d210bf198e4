"""Behaviour compliance heatmap (行为合规热力图): behaviour alarms not dismissed as 误报, counted by
local hour × trade and by place on the site plan, for a shift; as data and as a printable PNG."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics import rolled
from backend.analytics.events import BEHAVIOUR, CELL  # noqa: F401  (re-exported: the behaviour kinds)
from backend.analytics.service import Scope
from backend.org.models import Area


def in_shift(local_hour: int, shift: str, night: tuple[int, int]) -> bool:
    """`night` = (start hour, end hour) local, e.g. (20, 6); day is the rest."""
    start, end = night
    is_night = local_hour >= start or local_hour < end if start > end else start <= local_hour < end
    return shift == "all" or (shift == "night") == is_night


async def heatmap(
    db: AsyncSession, scope: Scope, shift: str, offset: timedelta, night: tuple[int, int]
) -> dict[str, Any]:
    """Counts by local hour × trade, by area and by cell, from the hourly rollup (rolled.violations)."""
    whole = offset.total_seconds() % 3600 == 0
    found = await rolled.violations(
        db, scope.unit.path, scope.trade, scope.since, scope.until, scope.facts.now, whole
    )
    by_hour = [0] * 24
    by_trade: dict[str, list[int]] = {}
    cells: Counter[tuple[int, int]] = Counter()
    by_area: Counter[Any] = Counter()
    total = 0
    for at, trade, area, cx, cy, n in sorted(
        found, key=lambda v: (v[0], v[1], str(v[2]), v[3] or 0, v[4] or 0)
    ):
        hour = (at + offset).hour
        if not in_shift(hour, shift, night):
            continue
        total += n
        by_hour[hour] += n
        by_trade.setdefault(trade or "—", [0] * 24)[hour] += n
        if cx is not None and cy is not None:
            cells[(cx, cy)] += n
        by_area[area] += n
    ids = [i for i in by_area if i is not None]
    areas = {a.id: a for a in await db.scalars(select(Area).where(Area.id.in_(ids)))} if ids else {}
    return {
        "shift": shift,
        "total": total,
        "by_hour": by_hour,
        "by_trade": by_trade,
        "by_area": [
            {
                "area_id": str(i) if i else None,
                "name": areas[i].name if i in areas else "—",
                "count": n,
                "polygon": areas[i].plan_polygon if i in areas else None,
            }
            for i, n in by_area.most_common()
        ],
        "cells": [
            {"x": x * CELL, "y": y * CELL, "size": CELL, "count": n} for (x, y), n in sorted(cells.items())
        ],
    }


def _shade(n: int, top: int) -> tuple[int, int, int]:
    if n == 0:
        return (246, 247, 249)
    t = n / top
    return (255, int(230 - 180 * t), int(200 - 180 * t))


def heatmap_png(data: dict[str, Any], title: str) -> bytes:
    """Hour × trade on the left, places on the site plan on the right (ASCII labels: any font)."""
    trades = sorted(data["by_trade"])
    cell_w, cell_h, left, top = 22, 22, 140, 50
    cells = data["cells"]
    plan_w = max([c["x"] + c["size"] for c in cells] + [400])
    plan_h = max([c["y"] + c["size"] for c in cells] + [300])
    scale = min(1.0, 380 / plan_w, 380 / plan_h)
    width = left + 24 * cell_w + 40 + int(plan_w * scale) + 20
    height = max(top + max(1, len(trades)) * cell_h + 40, top + int(plan_h * scale) + 20)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((10, 10), f"{title}  shift={data['shift']}  violations={data['total']}", fill=(29, 35, 48))
    most = max([max(v) for v in data["by_trade"].values()] + [1])
    for h in range(24):
        draw.text((left + h * cell_w + 4, top - 14), f"{h:02d}", fill=(92, 100, 115))
    for r, trade in enumerate(trades):
        draw.text((10, top + r * cell_h + 5), trade[:20], fill=(29, 35, 48))
        for h, n in enumerate(data["by_trade"][trade]):
            x, y = left + h * cell_w, top + r * cell_h
            draw.rectangle([x, y, x + cell_w - 2, y + cell_h - 2], fill=_shade(n, most))
            if n:
                draw.text((x + 4, y + 5), str(n), fill=(29, 35, 48))
    ox = left + 24 * cell_w + 40
    draw.rectangle([ox, top, ox + int(plan_w * scale), top + int(plan_h * scale)], outline=(227, 230, 236))
    for area in data["by_area"]:
        if area["polygon"]:
            pts = [(ox + p[0] * scale, top + p[1] * scale) for p in area["polygon"]]
            draw.polygon(pts, outline=(21, 76, 160))
    peak = max([c["count"] for c in cells] + [1])
    for c in cells:
        x, y, s = ox + c["x"] * scale, top + c["y"] * scale, c["size"] * scale
        draw.rectangle([x, y, x + s, y + s], fill=_shade(c["count"], peak))
        draw.text((x + 2, y + 2), str(c["count"]), fill=(29, 35, 48))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
