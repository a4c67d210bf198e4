"""Zones drawn on a camera's image: which zone a person's feet are in."""

from __future__ import annotations

from edge.config import Zone


def inside(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Even-odd ray casting; a point on an edge may fall either way (pixels, it does not matter)."""
    x, y = point
    hit = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            hit = not hit
        j = i
    return hit


def zones_of(point: tuple[float, float], zones: list[Zone]) -> list[Zone]:
    return [z for z in zones if inside(point, z.polygon)]
