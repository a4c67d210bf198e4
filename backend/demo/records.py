"""The demo plant as plain frozen dataclasses, so tests can check it without a database."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[int, int]
LonLat = tuple[float, float]


@dataclass(frozen=True)
class DemoUnit:
    kind: str  # enterprise | site | workshop | team
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class DemoContractor:
    name: str
    credit_code: str  # 统一社会信用代码, GB 32100


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str  # the key: every reference to a demo person uses it
    phone: str
    male: bool
    unit_code: str
    title: str  # 职务 / 工种, shown in the demo-account list
    roles: tuple[tuple[str, str], ...]  # (role, scope unit code)
    contractor: str | None = None  # credit code of the contractor company
    employment: str = "active"


@dataclass(frozen=True)
class DemoDeputy:
    """B角: `deputy` stands in for `principal` in `role` within `scope_code`."""

    principal: str  # id number
    deputy: str  # id number
    role: str
    scope_code: str


@dataclass(frozen=True)
class DemoAccount:
    role: str
    label: str  # 中文 role name shown beside the link
    id_number: str


@dataclass(frozen=True)
class DemoFeature:
    kind: str  # see org.models.FEATURE_KINDS
    label: str
    x: int
    y: int


@dataclass(frozen=True)
class DemoArea:
    code: str
    name: str
    hazard_class: str
    workshop_code: str
    plan_polygon: tuple[Point, ...]  # plan pixels
    gps_polygon: tuple[LonLat, ...]  # WGS-84, GeoJSON order (lon, lat)
    escape_route: tuple[Point, ...]  # plan pixels, from inside the area to an assembly point
    features: tuple[DemoFeature, ...]


@dataclass(frozen=True)
class Roads:
    """A grid of straight roads inside the fence: every horizontal meets every vertical."""

    fence: tuple[int, int, int, int]  # x0, y0, x1, y1
    horizontal: tuple[int, ...]  # centre-line y of each east–west road
    vertical: tuple[int, ...]  # centre-line x of each north–south road
    width: int


@dataclass(frozen=True)
class DemoSite:
    code: str
    name: str
    width: int
    height: int
    metres_per_pixel: float
    origin: LonLat  # WGS-84 of the plan's top-left pixel
    roads: Roads
    areas: tuple[DemoArea, ...]
    assembly_points: tuple[DemoFeature, ...]


@dataclass(frozen=True)
class DemoPlan:
    units: tuple[DemoUnit, ...]
    contractors: tuple[DemoContractor, ...]
    people: tuple[DemoPerson, ...]
    deputies: tuple[DemoDeputy, ...]
    sites: tuple[DemoSite, ...]
    accounts: tuple[DemoAccount, ...]

    @property
    def enterprise(self) -> DemoUnit:
        return self.units[0]

    def units_of(self, kind: str) -> list[DemoUnit]:
        return [u for u in self.units if u.kind == kind]

    def person(self, id_number: str) -> DemoPerson:
        return next(p for p in self.people if p.id_number == id_number)

    def workers(self) -> list[DemoPerson]:
        return [p for p in self.people if any(role == "worker" for role, _ in p.roles)]
