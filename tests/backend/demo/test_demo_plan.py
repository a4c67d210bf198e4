"""The demo plan as data: realistic counts, valid identities, complete roles, sane geometry."""

from __future__ import annotations

import itertools
from collections import Counter

from backend.demo.identity import credit_check, org_code_check
from backend.demo.plan import AS_OF, plan_demo
from backend.demo.site_geometry import inside
from backend.demo.staff import APPROVER_ROLES
from backend.org.models import FEATURE_KINDS, HAZARD_CLASSES
from backend.people import idnumber
from backend.people.roles import ROLES

PLAN = plan_demo()


def test_the_plan_is_the_same_every_time_and_depends_on_the_seed() -> None:
    assert plan_demo() == PLAN
    assert plan_demo(seed=7).people != PLAN.people


def test_org_tree_has_two_sites_and_enough_workshops_and_teams() -> None:
    kinds = Counter(u.kind for u in PLAN.units)
    assert kinds["enterprise"] == 1 and kinds["site"] == 2
    assert kinds["workshop"] >= 6 and kinds["team"] >= 20
    codes = {u.code for u in PLAN.units}
    assert len(codes) == len(PLAN.units)
    assert all(u.parent_code in codes for u in PLAN.units[1:])


def test_enough_workers_a_quarter_from_contractors_and_a_few_gone() -> None:
    workers = PLAN.workers()
    assert len(workers) >= 300
    share = sum(1 for w in workers if w.contractor) / len(workers)
    assert 0.2 <= share <= 0.3
    assert 3 <= len(PLAN.contractors) <= 4
    assert {w.contractor for w in workers if w.contractor} == {c.credit_code for c in PLAN.contractors}
    states = Counter(p.employment for p in PLAN.people)
    assert states["suspended"] > 0 and states["left"] > 0


def test_every_id_number_is_valid_unique_and_fits_the_person() -> None:
    numbers = [p.id_number for p in PLAN.people]
    assert len(set(numbers)) == len(numbers)
    for person in PLAN.people:
        assert idnumber.normalise(person.id_number) == person.id_number
        born = idnumber.birth_date(person.id_number)
        age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
        assert 20 <= age <= 58, person
        assert int(person.id_number[16]) % 2 == (1 if person.male else 0)  # GB 11643: odd for men


def test_names_and_phones_look_real() -> None:
    names = [p.name for p in PLAN.people]
    assert len(set(names)) == len(names)
    assert all(2 <= len(n) <= 3 and all("\u4e00" <= c <= "\u9fff" for c in n) for n in names)
    phones = [p.phone for p in PLAN.people]
    assert len(set(phones)) == len(phones)
    assert all(len(p) == 11 and p.isdigit() and p[0] == "1" for p in phones)


def test_credit_codes_carry_valid_check_characters() -> None:
    assert org_code_check("M000100Y") == "4" and credit_check("91350100M000100Y4") == "3"  # GB 32100 example
    for firm in PLAN.contractors:
        code = firm.credit_code
        assert len(code) == 18 and code.startswith("91")
        assert org_code_check(code[8:16]) == code[16] and credit_check(code[:17]) == code[17]


def test_every_role_is_held_and_every_approver_has_a_deputy_in_the_same_scope() -> None:
    units = {u.code: u for u in PLAN.units}
    grants = [(p.id_number, role, scope) for p in PLAN.people for role, scope in p.roles]
    assert {role for _, role, _ in grants} == set(ROLES)
    assert all(scope in units for _, _, scope in grants)
    deputies = {(d.principal, d.role, d.scope_code): d.deputy for d in PLAN.deputies}
    approvers = [g for g in grants if g[1] in APPROVER_ROLES]
    assert approvers and all(g in deputies and deputies[g] != g[0] for g in approvers)
    active = {p.id_number for p in PLAN.people if p.employment == "active"}
    assert all(d.principal in active and d.deputy in active for d in PLAN.deputies)
    for kind, role in (
        ("team", "team_leader"),
        ("workshop", "workshop_director"),
        ("workshop", "safety_officer"),
    ):
        assert {scope for _, r, scope in grants if r == role} >= {u.code for u in PLAN.units_of(kind)}
    for site in PLAN.units_of("site"):
        assert {"safety_officer", "inspector"} <= {r for _, r, scope in grants if scope == site.code}


def test_demo_accounts_cover_every_role_with_a_person_holding_it() -> None:
    assert PLAN.accounts[0].role == "admin"  # listed first, with the QR code
    assert {a.role for a in PLAN.accounts} == set(ROLES)
    for account in PLAN.accounts:
        person = PLAN.person(account.id_number)
        assert person.employment == "active"
        assert account.role in {role for role, _ in person.roles}
    welder = PLAN.person(next(a.id_number for a in PLAN.accounts if a.role == "worker"))
    assert welder.title == "焊工"


def test_each_site_has_areas_of_every_hazard_class_inside_the_plan() -> None:
    workshops = {u.code: u.parent_code for u in PLAN.units_of("workshop")}
    codes = [a.code for s in PLAN.sites for a in s.areas]
    assert len(set(codes)) == len(codes)
    for site in PLAN.sites:
        assert len(site.areas) >= 8
        assert {a.hazard_class for a in site.areas} == set(HAZARD_CLASSES)
        for area in site.areas:
            assert workshops[area.workshop_code] == site.code
            assert all(0 <= x <= site.width and 0 <= y <= site.height for x, y in area.plan_polygon)


def test_areas_do_not_overlap_and_only_pipe_racks_cross_roads() -> None:
    for site in PLAN.sites:
        half = site.roads.width / 2
        for x, y in itertools.product(range(0, site.width, 6), range(0, site.height, 6)):
            holders = [a for a in site.areas if inside((x + 0.5, y + 0.5), a.plan_polygon)]
            assert len(holders) <= 1, (site.code, x, y, [a.code for a in holders])
            on_road = any(abs(y - r) <= half for r in site.roads.horizontal) or any(
                abs(x - r) <= half for r in site.roads.vertical
            )
            assert not (on_road and holders and holders[0].hazard_class != "pipe_rack"), (
                x,
                y,
                holders[0].code,
            )


def test_gps_polygons_lie_in_nanjing_chemical_park_north_up() -> None:
    for site in PLAN.sites:
        for area in site.areas:
            assert len(area.gps_polygon) == len(area.plan_polygon)
            for lon, lat in area.gps_polygon:
                assert 118.70 < lon < 118.80 and 32.20 < lat < 32.30
            top = min(range(len(area.plan_polygon)), key=lambda i: area.plan_polygon[i][1])
            bottom = max(range(len(area.plan_polygon)), key=lambda i: area.plan_polygon[i][1])
            assert area.gps_polygon[top][1] > area.gps_polygon[bottom][1]


def test_escape_routes_lead_from_the_area_to_an_assembly_point() -> None:
    for site in PLAN.sites:
        points = {(f.x, f.y) for f in site.assembly_points}
        assert len(points) >= 2
        assert not any(inside(p, a.plan_polygon) for p in points for a in site.areas)
        for area in site.areas:
            route = area.escape_route
            assert len(route) >= 2 and inside(route[0], area.plan_polygon) and route[-1] in points
            assert all(0 <= x <= site.width and 0 <= y <= site.height for x, y in route)


def test_safety_features_sit_inside_or_next_to_their_area() -> None:
    for site in PLAN.sites:
        for area in site.areas:
            kinds = Counter(f.kind for f in area.features)
            assert kinds["extinguisher"] >= 3
            assert set(kinds) <= set(FEATURE_KINDS)
            if area.hazard_class in {"fire_class_a", "tank_farm_dike", "confined_space"}:
                assert kinds["gas_detector"] >= 1
            xs, ys = [p[0] for p in area.plan_polygon], [p[1] for p in area.plan_polygon]
            for f in area.features:
                if f.kind == "hydrant":
                    assert min(xs) - 40 <= f.x <= max(xs) + 40 and min(ys) - 40 <= f.y <= max(ys) + 40
                else:
                    assert inside((f.x, f.y), area.plan_polygon), f
        kinds = Counter(f.kind for a in site.areas for f in a.features)
        assert kinds["hydrant"] >= 5 and kinds["eyewash"] >= 2
