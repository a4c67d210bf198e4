"""`tezuo demo`: write the demo plant once (idempotent) and hand out fresh sign-in links."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.audit.schemas import Record
from backend.config import Settings
from backend.core.clock import utcnow
from backend.core.errors import DomainError
from backend.db.base import new_id
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.demo.accounts import issue_demo_links, print_demo_links
from backend.demo.certificates import install_certificates
from backend.demo.permits import install_permits
from backend.demo.plan import AS_OF, plan_demo
from backend.demo.records import DemoPlan, DemoSite
from backend.demo.siteplan import find_cjk_font, render_site_plan
from backend.org.models import Area, OrgUnit, SafetyFeature, SitePlan
from backend.org.service import create_unit
from backend.people import idnumber
from backend.people.models import Contractor, Person, RoleAssignment
from backend.people.service import add_deputy, id_cipher

# People who left did so a month before the plan's reference day (keeps every run identical).
LEFT_AT = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC) - timedelta(days=30)


def plan_image(settings: Settings, site_code: str) -> tuple[str, Path]:
    """The site plan's path relative to media_dir (what SitePlan stores) and on disk."""
    relative = f"siteplans/{site_code}.png"
    return relative, settings.media_dir / relative


def draw_missing_plans(settings: Settings, plan: DemoPlan) -> bool:
    """Render any site plan PNG that is not on disk; True if Chinese labels were available."""
    font = find_cjk_font()
    for site in plan.sites:
        path = plan_image(settings, site.code)[1]
        if not path.exists():
            render_site_plan(site, path, font)
    return font is not None


async def _units(db: AsyncSession, plan: DemoPlan) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for unit in plan.units:
        parent = units[unit.parent_code] if unit.parent_code else None
        units[unit.code] = await create_unit(db, unit.kind, unit.code, unit.name, parent)
    return units


def _people(
    settings: Settings, plan: DemoPlan, units: dict[str, OrgUnit], firms: dict[str, Contractor]
) -> list[Person]:
    """Person rows built as `people.service.create_person` builds them, but added in one batch:
    the enterprise is new, and the plan's ID numbers are unique (tests prove it)."""
    cipher = id_cipher(settings.secret_key)
    rows = []
    for p in plan.people:
        number = idnumber.normalise(p.id_number)
        unit = units[p.unit_code]
        rows.append(
            Person(
                id=new_id(),
                name=p.name,
                id_number_enc=cipher.encrypt(number),
                id_number_index=cipher.blind_index(number),
                id_number_masked=idnumber.mask(number),
                phone=p.phone,
                unit_id=unit.id,
                unit_path=unit.path,
                contractor_id=firms[p.contractor].id if p.contractor else None,
                employment=p.employment,
                left_at=LEFT_AT if p.employment == "left" else None,
                webauthn_user_id=os.urandom(32),
            )
        )
    return rows


def _site_rows(site: DemoSite, units: dict[str, OrgUnit], image_path: str) -> list[object]:
    """The plan image record, the areas and their safety features, all scoped to the site
    (anyone working on a site may need any area's escape route and nearest extinguisher)."""
    unit = units[site.code]
    rows: list[object] = [
        SitePlan(site_id=unit.id, image_path=image_path, width=site.width, height=site.height)
    ]
    for a in site.areas:
        area = Area(
            id=new_id(),
            site_id=unit.id,
            workshop_id=units[a.workshop_code].id,
            code=a.code,
            name=a.name,
            hazard_class=a.hazard_class,
            plan_polygon=[list(p) for p in a.plan_polygon],
            gps_polygon=[list(p) for p in a.gps_polygon],
            escape_route=[list(p) for p in a.escape_route],
            scope_path=unit.path,
        )
        rows.append(area)
        rows += [
            SafetyFeature(
                site_id=unit.id,
                area_id=area.id,
                kind=f.kind,
                label=f.label,
                x=f.x,
                y=f.y,
                scope_path=unit.path,
            )
            for f in a.features
        ]
    rows += [
        SafetyFeature(
            site_id=unit.id, area_id=None, kind=f.kind, label=f.label, x=f.x, y=f.y, scope_path=unit.path
        )
        for f in site.assembly_points
    ]
    return rows


async def _audit(
    db: AsyncSession, plan: DemoPlan, units: dict[str, OrgUnit], by_number: dict[str, Person]
) -> None:
    """The batch-built people and their roles go into the audit log like any others (one append)."""
    entries = []
    for p in plan.people:
        person = by_number[p.id_number]
        entries.append(
            Record(
                action="person.create",
                entity="person",
                entity_id=str(person.id),
                entity_version=person.version,
                details={
                    "unit": p.unit_code,
                    "contractor_id": str(person.contractor_id) if person.contractor_id else None,
                },
            )
        )
        entries += [
            Record(
                action="role.grant",
                entity="person",
                entity_id=str(person.id),
                entity_version=person.version,
                details={"role": role, "scope": units[scope].code},
            )
            for role, scope in p.roles
        ]
    await audit.record_many(db, utcnow(), entries)


async def write_plant(db: AsyncSession, settings: Settings, plan: DemoPlan) -> None:
    """Every row of the demo plant, in a handful of flushes."""
    units = await _units(db, plan)
    enterprise = units[plan.enterprise.code]
    firms = {
        c.credit_code: Contractor(
            id=new_id(), name=c.name, credit_code=c.credit_code, enterprise_id=enterprise.id
        )
        for c in plan.contractors
    }
    db.add_all(firms.values())
    people = _people(settings, plan, units, firms)
    db.add_all(people)
    by_number = {p.id_number: row for p, row in zip(plan.people, people, strict=True)}
    db.add_all(
        RoleAssignment(
            person_id=by_number[p.id_number].id,
            role=role,
            scope_id=units[scope].id,
            scope_path=units[scope].path,
        )
        for p in plan.people
        for role, scope in p.roles
    )
    await db.flush()
    await _audit(db, plan, units, by_number)
    for d in plan.deputies:
        await add_deputy(db, by_number[d.principal], by_number[d.deputy], d.role, units[d.scope_code])
    for site in plan.sites:
        db.add_all(_site_rows(site, units, plan_image(settings, site.code)[0]))
    await db.flush()


async def install_plant(db: AsyncSession, settings: Settings, plan: DemoPlan) -> bool:
    """Write the plant unless its enterprise code is already there; True if it was written."""
    if await db.scalar(select(OrgUnit.id).where(OrgUnit.code == plan.enterprise.code)) is not None:
        return False
    await write_plant(db, settings, plan)
    return True


def _print_summary(settings: Settings, plan: DemoPlan, created: bool, cjk: bool, seconds: float) -> None:
    ent, count = plan.enterprise, {k: len(plan.units_of(k)) for k in ("site", "workshop", "team")}
    state = "已创建 created" if created else "已存在，未改动 already loaded, unchanged"
    print(f"演示工厂 {ent.name} ({ent.code}): {state} ({seconds:.1f} s)")
    print(
        f"  {count['site']} 厂区 sites, {count['workshop']} 车间 workshops, {count['team']} 班组 teams, "
        f"{len(plan.people)} 人 people, {len(plan.contractors)} 外包单位 contractors"
    )
    print(f"  厂区平面图 site plans: {settings.media_dir / 'siteplans'}")
    if not cjk:
        print("  注意 note: no CJK font (fc-list :lang=zh); site plans show area codes only")


async def load_demo(settings: Settings, print_links: bool = True) -> int:
    """Load the demo plant in one transaction and print a fresh enrollment link per demo account."""
    started = time.perf_counter()
    plan = plan_demo()
    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            created = await install_plant(db, settings, plan)
            certificates = await install_certificates(db, settings, plan, utcnow())
            cjk = draw_missing_plans(settings, plan)
            edge_token = await install_permits(db, settings, plan, utcnow())
            links = await issue_demo_links(db, settings, plan, utcnow())
    except DomainError as exc:
        print(f"错误 error [{exc.code}]: {exc.detail}", file=sys.stderr)
        return 2
    except DBAPIError as exc:  # most often: the database was never migrated
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        print(f"数据库错误 database error: {reason} — run `tezuo migrate` first?", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    if print_links:
        _print_summary(settings, plan, created, cjk, time.perf_counter() - started)
        if certificates:
            spread = "有效/待复审/即将到期/过期/影子操作工"
            print(f"  {certificates} 证书 certificates of the three families ({spread})")
        print_demo_links(links)
        if edge_token:
            print(f"演示边缘节点令牌 demo edge-node token (shown once; POST /api/gas/readings): {edge_token}")
    return 0
