"""The rules: each looks at one frame and names who (or which zone) is violating it right now.

Each rule's name is the alarm kind the server routes (backend/alarms/routing.json). A rule yields
(key, zone, detail); the engine's persistence filter decides whether that becomes an alarm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edge.config import Zone
from edge.rules.permits import PermitBook
from edge.rules.zones import zones_of
from edge.vision.base import Detection

FLAME = {"fire", "flame", "smoke", "cigarette", "smoking"}
HOT_WORK = {"welding", "cutting", "fire", "flame"}


@dataclass
class Scene:
    camera: str
    t: float
    now: datetime
    people: list[Detection]
    objects: list[Detection]
    zones: list[Zone]
    permits: PermitBook
    gas_ok: Callable[[list[str]], bool]

    def zones_of(self, person: Detection) -> list[Zone]:
        return zones_of(person.foot, self.zones)

    def in_zone(self, zone: Zone) -> list[Detection]:
        return [p for p in self.people if zone in self.zones_of(p)]


Hit = tuple[object, Zone | None, dict[str, Any]]
Rule = Callable[[Scene], Iterator[Hit]]


def no_helmet(s: Scene) -> Iterator[Hit]:
    for p in s.people:
        if p.attrs.get("helmet") is False:
            zones = s.zones_of(p)
            yield p.track_id, zones[0] if zones else None, {"track": p.track_id}


def no_harness(s: Scene) -> Iterator[Hit]:
    """高处作业 (GB 30871 §9): at height, the harness must be on and hooked."""
    for p in s.people:
        for z in s.zones_of(p):
            if z.kind == "height" and p.attrs.get("harness") is False:
                yield p.track_id, z, {"track": p.track_id}


def person_under_load(s: Scene) -> Iterator[Hit]:
    """吊装 (GB 30871 §10): nobody under a suspended load or inside the working radius while it hangs."""
    if not any(o.label == "suspended_load" for o in s.objects):
        return
    for p in s.people:
        for z in s.zones_of(p):
            if z.kind == "crane_radius":
                yield p.track_id, z, {"track": p.track_id}


def no_go_intrusion(s: Scene) -> Iterator[Hit]:
    for p in s.people:
        for z in s.zones_of(p):
            if z.kind == "no_go":
                yield p.track_id, z, {"track": p.track_id}


def manhole_crowding(s: Scene) -> Iterator[Hit]:
    for z in s.zones:
        if z.kind == "confined_entrance" and z.max_people is not None:
            count = len(s.in_zone(z))
            if count > z.max_people:
                yield ("zone", z.code), z, {"people": count, "max_people": z.max_people}


def confined_space_unventilated(s: Scene) -> Iterator[Hit]:
    """受限空间 (GB 30871 §6.4): no entry without a passed, current gas test at the entrance."""
    for z in s.zones:
        if z.kind == "confined_entrance" and s.in_zone(z) and not s.gas_ok(z.gas_detectors):
            yield ("zone", z.code), z, {"detectors": z.gas_detectors}


def smoking_or_flame(s: Scene) -> Iterator[Hit]:
    for o in s.objects:
        if o.label in FLAME:
            permitted = any(
                p.work_type == "hot_work"
                for z in zones_of(o.foot, s.zones)
                for p in s.permits.active(z.area_code, s.now)
            )
            if not permitted:
                zones = zones_of(o.foot, s.zones)
                yield ("flame", o.track_id, o.label), zones[0] if zones else None, {"label": o.label}


def no_permit_work(s: Scene) -> Iterator[Hit]:
    """Activity in a zone that needs a permit while none is active for its area."""
    for z in s.zones:
        if z.permit_types and s.in_zone(z) and not s.permits.active(z.area_code, s.now):
            yield ("zone", z.code), z, {"people": len(s.in_zone(z)), "needs": z.permit_types}


def out_of_scope_work(s: Scene) -> Iterator[Hit]:
    """Permits are active, but none of them covers the work this zone (or a hot-work sighting) needs."""
    for z in s.zones:
        active = s.permits.active(z.area_code, s.now)
        if not active or not s.in_zone(z):
            continue
        types = {p.work_type for p in active}
        needs = set(z.permit_types)
        if any(o.label in HOT_WORK and z in zones_of(o.foot, s.zones) for o in s.objects):
            needs.add("hot_work")
        missing = needs - types
        if needs and missing:
            yield (
                ("zone", z.code),
                z,
                {"permits": sorted(p.number for p in active), "missing": sorted(missing)},
            )


def loitering(s: Scene) -> Iterator[Hit]:
    """Someone staying in a watched (`general`) zone: the filter's hold is the dwell time (120 s of 150)."""
    for p in s.people:
        for z in s.zones_of(p):
            if z.kind == "general":
                yield p.track_id, z, {"track": p.track_id}


def guardian_absent(s: Scene) -> Iterator[Hit]:
    """GB 30871 §4.10: the guardian stays at the work site for the whole job."""
    for z in s.zones:
        if not s.permits.active(z.area_code, s.now):
            continue
        people = s.in_zone(z)
        if people and not any(p.attrs.get("role") == "guardian" for p in people):
            yield ("zone", z.code), z, {"people": len(people)}


RULES: dict[str, Rule] = {
    "no_helmet": no_helmet,
    "no_harness": no_harness,
    "person_under_load": person_under_load,
    "no_go_intrusion": no_go_intrusion,
    "manhole_crowding": manhole_crowding,
    "confined_space_unventilated": confined_space_unventilated,
    "smoking_or_flame": smoking_or_flame,
    "no_permit_work": no_permit_work,
    "out_of_scope_work": out_of_scope_work,
    "guardian_absent": guardian_absent,
    "loitering": loitering,
}
# Tier 1 sounds the site's alarm coil; the rest notify only. Config overrides per rule.
DEFAULT_TIER = {
    "person_under_load": 1,
    "no_go_intrusion": 1,
    "confined_space_unventilated": 1,
    "smoking_or_flame": 1,
    "no_permit_work": 1,
    "out_of_scope_work": 1,
}
# Rules whose alarm may cut the zone's power (when the zone enables it).
CUTS_POWER = {"no_permit_work", "out_of_scope_work"}
