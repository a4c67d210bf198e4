"""Plan and GPS geometry: centroids, point-in-polygon, distances in metres, the plan's scale."""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_METRES_PER_PIXEL = 0.5
Point = Sequence[float]


def centroid(polygon: Sequence[Point]) -> tuple[float, float]:
    """Mean of the vertices: good enough for a work point inside a convex-ish area."""
    xs = [float(p[0]) for p in polygon]
    ys = [float(p[1]) for p in polygon]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def inside(point: Point, polygon: Sequence[Point]) -> bool:
    """Ray casting; points on an edge may fall either way (callers add a tolerance)."""
    x, y = float(point[0]), float(point[1])
    hit = False
    for i in range(len(polygon)):
        x1, y1 = float(polygon[i][0]), float(polygon[i][1])
        x2, y2 = float(polygon[i - 1][0]), float(polygon[i - 1][1])
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            hit = not hit
    return hit


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance between two (lon, lat) points in metres."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _local_xy(origin: Point, point: Point) -> tuple[float, float]:
    """(lon, lat) → metres east/north of `origin` (equirectangular; fine over a plant)."""
    lat0 = math.radians(origin[1])
    dx = math.radians(point[0] - origin[0]) * EARTH_RADIUS_M * math.cos(lat0)
    dy = math.radians(point[1] - origin[1]) * EARTH_RADIUS_M
    return dx, dy


def _segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    px, py = p
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length2))
    return math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)))


def gps_distance_to_polygon_m(point: Point, polygon: Sequence[Point]) -> float:
    """0 inside the (lon, lat) polygon, else metres to its nearest edge."""
    if inside(point, polygon):
        return 0.0
    origin = polygon[0]
    p = _local_xy(origin, point)
    corners = [_local_xy(origin, v) for v in polygon]
    return min(_segment_distance(p, corners[i - 1], corners[i]) for i in range(len(corners)))


def plan_scale(areas: Sequence[tuple[Sequence[Point], Sequence[Point] | None]]) -> float:
    """Metres per plan pixel, from the first area drawn both on the plan and in GPS.

    The plan polygon and the GPS polygon of an area list the same corners in the same order,
    so the ratio of a diagonal's length gives the scale without storing it separately.
    """
    for plan, gps in areas:
        if not gps or len(gps) != len(plan) or len(plan) < 2:
            continue
        far = max(range(1, len(plan)), key=lambda i: math.dist(plan[0], plan[i]))
        pixels = math.dist(plan[0], plan[far])
        if pixels > 0:
            return haversine_m(gps[0], gps[far]) / pixels
    return DEFAULT_METRES_PER_PIXEL


def plan_distance_m(a: Point, b: Point, metres_per_pixel: float) -> float:
    return math.dist((float(a[0]), float(a[1])), (float(b[0]), float(b[1]))) * metres_per_pixel
