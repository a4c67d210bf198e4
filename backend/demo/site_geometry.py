"""Turn a site layout into areas with GPS polygons, escape routes and placed safety features."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from backend.demo.records import DemoArea, DemoFeature, DemoSite, LonLat, Point, Roads
from backend.demo.site_layout import METRES_PER_PIXEL, PLAN_SIZE, AreaSpec, SiteSpec

METRES_PER_DEGREE_LAT = 111_320.0
EXTINGUISHERS = {"general": "MT/5 二氧化碳灭火器", "confined_space": "MFZ/ABC4 手提式干粉灭火器"}
DEFAULT_EXTINGUISHER = "MFZ/ABC8 手提式干粉灭火器"
TROLLEY = "MFTZ/ABC35 推车式干粉灭火器"
FLAMMABLE_DETECTOR = "固定式可燃气体检测器"
TOXIC_DETECTOR = "固定式有毒气体检测器（H2S/O2）"
GAS_DETECTED = frozenset({"fire_class_a", "fire_class_b", "tank_farm_dike", "confined_space", "pipe_rack"})
EYEWASH = frozenset({"fire_class_a", "fire_class_b", "tank_farm_dike"})
MAX_DIRECT = 250  # px (125 m): farther away, people keep to the roads
Polygon = Sequence[Point]
RoadStop = tuple[Point, str, int]  # where a road is joined, its axis ("h"/"v") and centre line


def inside(pt: tuple[float, float], poly: Polygon) -> bool:
    """Even–odd ray casting; good enough for the simple polygons of a plan."""
    x, y = pt
    hit = False
    for (x1, y1), (x2, y2) in zip(poly, [*poly[1:], poly[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def label_point(poly: Polygon) -> Point:
    """The area centroid (shoelace), or the middle of the bounding box if that falls outside."""
    edges = list(zip(poly, [*poly[1:], poly[0]], strict=True))
    cross = [x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in edges]
    area = sum(cross) / 2
    cx = sum((x1 + x2) * c for ((x1, _), (x2, _)), c in zip(edges, cross, strict=True)) / (6 * area)
    cy = sum((y1 + y2) * c for ((_, y1), (_, y2)), c in zip(edges, cross, strict=True)) / (6 * area)
    if inside((cx, cy), poly):
        return round(cx), round(cy)
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    return (min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2


def to_lonlat(origin: LonLat, pt: Point, metres_per_pixel: float = METRES_PER_PIXEL) -> LonLat:
    """Plan pixel → WGS-84 (lon, lat): north up, a local flat-earth approximation (< 1 km)."""
    lon0, lat0 = origin
    lat = lat0 - pt[1] * metres_per_pixel / METRES_PER_DEGREE_LAT
    lon = lon0 + pt[0] * metres_per_pixel / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    return round(lon, 7), round(lat, 7)


def _bbox(points: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _clear(a: Point, b: Point, obstacles: Sequence[Polygon]) -> bool:
    """True if the straight segment a→b crosses none of the polygons (sampled every 4 px)."""
    x0, y0, x1, y1 = _bbox((a, b))
    near = [p for p in obstacles if _overlaps((x0, y0, x1, y1), _bbox(p))]
    if not near:
        return True
    steps = max(1, int(math.dist(a, b) // 4))
    points = [(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps) for i in range(steps + 1)]
    return not any(inside(p, poly) for p in points for poly in near)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _road_stops(pt: Point, roads: Roads, obstacles: Sequence[Polygon]) -> list[RoadStop]:
    """Where `pt` meets each road straight across, if nothing is in the way."""
    stops = [((pt[0], y), "h", y) for y in roads.horizontal] + [((x, pt[1]), "v", x) for x in roads.vertical]
    return [s for s in stops if _clear(pt, s[0], obstacles)]


def _along_roads(a: RoadStop, b: RoadStop, roads: Roads) -> list[Point]:
    (p, p_kind, p_at), (q, q_kind, q_at) = a, b
    if p_kind == q_kind == "h" and p_at != q_at:
        x = min(roads.vertical, key=lambda v: abs(p[0] - v) + abs(q[0] - v))
        return [p, (x, p_at), (x, q_at), q]
    if p_kind == q_kind == "v" and p_at != q_at:
        y = min(roads.horizontal, key=lambda h: abs(p[1] - h) + abs(q[1] - h))
        return [p, (p_at, y), (q_at, y), q]
    if p_kind != q_kind:
        corner = (q_at, p_at) if p_kind == "h" else (p_at, q_at)
        return [p, corner, q]
    return [p, q]


def _length(route: Sequence[Point]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(route))


def escape_route(
    start: Point, roads: Roads, exits: Sequence[tuple[Point, list[RoadStop]]], others: Sequence[Polygon]
) -> tuple[Point, ...]:
    """Shortest way out: straight to a road, along the road grid, then to an assembly point
    (or straight to the assembly point when nothing stands in between).

    `exits` pairs each assembly point with the road stops it can be reached from.
    """
    # A nearby assembly point in plain sight is reached straight across open ground.
    direct = [
        [start, point]
        for point, _ in exits
        if math.dist(start, point) <= MAX_DIRECT and _clear(start, point, others)
    ]
    best: list[Point] = min(direct, key=_length) if direct else []
    for leave in _road_stops(start, roads, others):
        for point, stops in exits:
            for arrive in stops:
                route = [start, *_along_roads(leave, arrive, roads), point]
                if not best or _length(route) < _length(best):
                    best = route
    return tuple(p for i, p in enumerate(best) if i == 0 or p != best[i - 1])


def _toward(a: Point, b: Point, share: float) -> Point:
    return round(a[0] + (b[0] - a[0]) * share), round(a[1] + (b[1] - a[1]) * share)


def _inset(vertex: Point, centre: Point, poly: Polygon, by: int = 14) -> Point:
    """A point just inside the polygon near one of its corners (extinguishers hang by exits)."""
    dx = math.copysign(min(by, abs(centre[0] - vertex[0]) / 2), centre[0] - vertex[0])
    dy = math.copysign(min(by, abs(centre[1] - vertex[1]) / 2), centre[1] - vertex[1])
    candidate = (round(vertex[0] + dx), round(vertex[1] + dy))
    share = 0.15
    while not inside(candidate, poly) and share < 1:
        candidate, share = _toward(vertex, centre, share), share + 0.1
    return candidate


def _extinguishers(code: str, spec: AreaSpec, centre: Point) -> list[DemoFeature]:
    poly = spec.polygon
    corners = [poly[round(i * len(poly) / 4) % len(poly)] for i in range(min(4, len(poly)))]
    kind = EXTINGUISHERS.get(spec.hazard_class, DEFAULT_EXTINGUISHER)
    out = [
        DemoFeature("extinguisher", f"{code}-MH{n} {kind}", *_inset(v, centre, poly))
        for n, v in enumerate(corners, 1)
    ]
    if spec.hazard_class == "tank_farm_dike":
        out.append(DemoFeature("extinguisher", f"{code}-MH5 {TROLLEY}", *_toward(centre, poly[3], 0.8)))
    return out


def _detectors(code: str, spec: AreaSpec, centre: Point) -> list[DemoFeature]:
    poly, out = spec.polygon, []
    if spec.hazard_class in GAS_DETECTED:
        gas = TOXIC_DETECTOR if spec.hazard_class == "confined_space" else FLAMMABLE_DETECTOR
        for n, v in enumerate((poly[0], poly[len(poly) // 2]), 1):
            out.append(DemoFeature("gas_detector", f"{code}-GD{n} {gas}", *_toward(centre, v, 0.5)))
    if spec.hazard_class in EYEWASH:
        out.append(DemoFeature("eyewash", f"{code}-EW1 紧急洗眼器", *_toward(centre, poly[1], 0.6)))
    return out


def _hydrant(code: str, poly: Polygon, route: Sequence[Point]) -> list[DemoFeature]:
    """On the way out: walk the route's first leg until outside the area, then 4 m further."""
    if len(route) < 2:
        return []
    a, b = route[0], route[1]
    steps = int(math.dist(a, b))
    for i in range(steps):
        if not inside(_toward(a, b, i / steps), poly):
            return [
                DemoFeature(
                    "hydrant", f"{code}-XS1 室外消火栓 SS100", *_toward(a, b, min(i + 8, steps) / steps)
                )
            ]
    return []  # a pipe rack over the road: the road's own hydrants serve it


def area_features(code: str, spec: AreaSpec, route: Sequence[Point]) -> tuple[DemoFeature, ...]:
    """Extinguishers at the corners, gas detectors and an eyewash inside, a hydrant on the way out."""
    centre = label_point(spec.polygon)
    return (
        *_extinguishers(code, spec, centre),
        *_detectors(code, spec, centre),
        *_hydrant(code, spec.polygon, route),
    )


def build_site(spec: SiteSpec, name: str) -> DemoSite:
    """Areas with codes, GPS polygons, escape routes and features for one site layout."""
    width, height = PLAN_SIZE
    assembly = tuple(DemoFeature("assembly_point", label, *pt) for label, pt in spec.assembly_points)
    blocking = [a.polygon for a in spec.areas if a.hazard_class != "pipe_rack"]  # racks are overhead
    exits = [((f.x, f.y), _road_stops((f.x, f.y), spec.roads, blocking)) for f in assembly]
    areas = []
    for n, area in enumerate(spec.areas, 1):
        code = f"{spec.code}-A{n:02d}"
        others = [p for p in blocking if p is not area.polygon]
        route = escape_route(label_point(area.polygon), spec.roads, exits, others)
        areas.append(
            DemoArea(
                code=code,
                name=area.name,
                hazard_class=area.hazard_class,
                workshop_code=area.workshop_code,
                plan_polygon=area.polygon,
                gps_polygon=tuple(to_lonlat(spec.origin, p) for p in area.polygon),
                escape_route=route,
                features=area_features(code, area, route),
            )
        )
    return DemoSite(
        spec.code, name, width, height, METRES_PER_PIXEL, spec.origin, spec.roads, tuple(areas), assembly
    )
