"""`tezuo demo` against a real database: the plant, its people and plans, links, idempotency."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.auth.passkeys import registration_options
from backend.config import Settings
from backend.core.clock import utcnow
from backend.core.errors import Invalid
from backend.db.changes import ChangeLog
from backend.demo.accounts import HEADER
from backend.demo.plan import plan_demo
from backend.demo.plant import load_demo
from backend.demo.staff import APPROVER_ROLES
from backend.org.models import HAZARD_CLASSES, Area, OrgUnit, SafetyFeature, SitePlan
from backend.people import idnumber
from backend.people.models import Contractor, Deputy, Person, RoleAssignment
from backend.people.roles import ROLES
from backend.people.service import id_cipher

Maker = async_sessionmaker[AsyncSession]
LINK = re.compile(r"#/enroll/([A-Za-z0-9_-]+)")


async def _counts(maker: Maker) -> dict[str, int]:
    async with maker() as db:
        tables = (
            OrgUnit,
            Person,
            RoleAssignment,
            Deputy,
            Contractor,
            Area,
            SafetyFeature,
            SitePlan,
            ChangeLog,
        )
        return {t.__tablename__: await db.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


async def test_demo_creates_the_enterprise_its_people_and_roles(
    settings: Settings, sessionmaker: Maker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await load_demo(settings, print_links=False) == 0
    assert capsys.readouterr().out == ""
    async with sessionmaker() as db:
        kinds = Counter((await db.scalars(select(OrgUnit.kind))).all())
        assert (
            kinds["enterprise"] == 1 and kinds["site"] == 2 and kinds["workshop"] >= 6 and kinds["team"] >= 20
        )
        people = (await db.scalars(select(Person))).all()
        workers = set(
            (await db.scalars(select(RoleAssignment.person_id).where(RoleAssignment.role == "worker"))).all()
        )
        assert len(workers) >= 300
        assert len((await db.scalars(select(Contractor))).all()) >= 3
        from_contractors = [p for p in people if p.id in workers and p.contractor_id is not None]
        assert 0.2 <= len(from_contractors) / len(workers) <= 0.3
        assert {"active", "suspended", "left"} == {p.employment for p in people}
        cipher = id_cipher(settings.secret_key)
        for person in people:
            number = cipher.decrypt(person.id_number_enc)
            assert idnumber.normalise(number) == number
            assert person.id_number_index == cipher.blind_index(number)
            assert person.id_number_masked == idnumber.mask(number)


async def test_demo_gives_every_approver_a_deputy_in_the_same_scope(
    settings: Settings, sessionmaker: Maker
) -> None:
    assert await load_demo(settings, print_links=False) == 0
    async with sessionmaker() as db:
        grants = (
            await db.execute(select(RoleAssignment.person_id, RoleAssignment.role, RoleAssignment.scope_id))
        ).all()
        assert {role for _, role, _ in grants} == set(ROLES)
        deputies = (
            await db.execute(select(Deputy.principal_id, Deputy.role, Deputy.scope_id, Deputy.deputy_id))
        ).all()
        covered = {(p, r, s): d for p, r, s, d in deputies}
        approvers = [tuple(g) for g in grants if g.role in APPROVER_ROLES]
        assert {r for _, r, _ in approvers} == set(APPROVER_ROLES)
        for grant in approvers:
            assert grant in covered and covered[grant] != grant[0]


async def test_demo_site_plans_areas_and_features(settings: Settings, sessionmaker: Maker) -> None:
    assert await load_demo(settings, print_links=False) == 0
    async with sessionmaker() as db:
        sites = (await db.scalars(select(OrgUnit).where(OrgUnit.kind == "site"))).all()
        for site in sites:
            plan = await db.scalar(select(SitePlan).where(SitePlan.site_id == site.id))
            assert plan is not None and plan.image_path == f"siteplans/{site.code}.png"
            with Image.open(settings.media_dir / plan.image_path) as image:
                assert image.format == "PNG" and image.size == (plan.width, plan.height)
            areas = (await db.scalars(select(Area).where(Area.site_id == site.id))).all()
            assert len(areas) >= 8
            assert {a.hazard_class for a in areas} == set(HAZARD_CLASSES)
            for area in areas:
                assert area.scope_path == site.path
                assert all(0 <= x <= plan.width and 0 <= y <= plan.height for x, y in area.plan_polygon)
                assert area.gps_polygon and len(area.gps_polygon) == len(area.plan_polygon)
                assert len(area.escape_route) >= 2
            features = (await db.scalars(select(SafetyFeature).where(SafetyFeature.site_id == site.id))).all()
            kinds = Counter(f.kind for f in features)
            assert kinds["extinguisher"] >= 3 * len(areas)
            assert all(kinds[k] >= 2 for k in ("assembly_point", "eyewash", "hydrant", "gas_detector"))
            assert all(0 <= f.x <= plan.width and 0 <= f.y <= plan.height for f in features)


async def test_demo_twice_changes_nothing_but_issues_fresh_links(
    settings: Settings, sessionmaker: Maker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await load_demo(settings) == 0
    first = capsys.readouterr().out
    before = await _counts(sessionmaker)
    (settings.media_dir / "siteplans" / "NJ1.png").unlink()  # a wiped media folder is redrawn

    assert await load_demo(settings) == 0
    second = capsys.readouterr().out
    assert await _counts(sessionmaker) == before
    assert (settings.media_dir / "siteplans" / "NJ1.png").is_file()

    plan = plan_demo()
    for out in (first, second):
        assert HEADER in out
        for account in plan.accounts:
            assert f"{account.role} {account.label} / {plan.person(account.id_number).name}" in out
        assert out.count("█") > 100  # the admin's QR code
    old, new = LINK.findall(first), LINK.findall(second)
    assert len(old) == len(new) == len(plan.accounts) and not set(old) & set(new)
    async with sessionmaker() as db:
        for code in new:
            _, options, person = await registration_options(db, settings, code, utcnow())
            assert options["user"]["displayName"] == person.name
        for code in old:
            with pytest.raises(Invalid) as failure:
                await registration_options(db, settings, code, utcnow())
            assert failure.value.code == "enrollment_expired"


async def test_demo_on_an_unmigrated_database_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}",
        redis_url=None,
        base_url="http://localhost:8000",
        secret_key=b"test-secret-key-not-for-production",
        pwa_dir=tmp_path / "no-pwa",
    )
    assert await load_demo(empty) == 2
    assert "tezuo migrate" in capsys.readouterr().err
