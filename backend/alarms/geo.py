"""Where on the site plan an alarm is: area by GPS (point in polygon), plan pixels from GPS (affine fit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Pt = tuple[float, float]


def inside(pt: Pt, polygon: Sequence[Sequence[float]]) -> bool:
    """Even–odd ray casting over a simple polygon."""
    x, y = pt
    hit = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i][:2], polygon[(i + 1) % n][:2]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def centroid(polygon: Sequence[Sequence[float]]) -> tuple[int, int]:
    """The vertices' mean: where a marker for "somewhere in this area" goes."""
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return round(sum(xs) / len(xs)), round(sum(ys) / len(ys))


def _solve3(m: list[list[float]], v: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting for a 3×3 system; None if singular."""
    a = [[*row, v[i]] for i, row in enumerate(m)]
    for col in range(3):
        pivot = max(range(col, 3), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-18:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(3):
            if r != col:
                f = a[r][col] / a[col][col]
                a[r] = [a[r][k] - f * a[col][k] for k in range(4)]
    return [a[i][3] / a[i][i] for i in range(3)]


class GpsToPlan:
    """Least-squares affine map (lon, lat) → plan pixels, fitted on areas that have both polygons.

    Over a plant (< a few km) the earth is flat enough that one affine map is within a pixel or
    two of the survey; coordinates are centred first to keep the normal equations well scaled.
    """

    def __init__(self, pairs: Sequence[tuple[Pt, Pt]]):
        self.ok = False
        if len(pairs) < 3:
            return
        self.lon0 = sum(g[0] for g, _ in pairs) / len(pairs)
        self.lat0 = sum(g[1] for g, _ in pairs) / len(pairs)
        rows = [(g[0] - self.lon0, g[1] - self.lat0, 1.0) for g, _ in pairs]
        ata = [[sum(r[i] * r[j] for r in rows) for j in range(3)] for i in range(3)]
        fx = _solve3(ata, [sum(r[i] * p[0] for r, (_, p) in zip(rows, pairs, strict=True)) for i in range(3)])
        fy = _solve3(ata, [sum(r[i] * p[1] for r, (_, p) in zip(rows, pairs, strict=True)) for i in range(3)])
        if fx is None or fy is None:
            return
        self.fx, self.fy, self.ok = fx, fy, True

    def __call__(self, lat: float, lon: float) -> tuple[int, int] | None:
        if not self.ok:
            return None
        dx, dy = lon - self.lon0, lat - self.lat0
        return (
            round(self.fx[0] * dx + self.fx[1] * dy + self.fx[2]),
            round(self.fy[0] * dx + self.fy[1] * dy + self.fy[2]),
        )

    @classmethod
    def from_areas(cls, areas: Sequence[Any]) -> GpsToPlan:
        pairs: list[tuple[Pt, Pt]] = []
        for area in areas:
            gps, plan = area.gps_polygon or [], area.plan_polygon or []
            if len(gps) == len(plan):
                pairs += [((g[0], g[1]), (p[0], p[1])) for g, p in zip(gps, plan, strict=True)]
        return cls(pairs)
