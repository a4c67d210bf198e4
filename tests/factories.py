"""Factories for test data: an org tree, people with roles, valid resident ID numbers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.org.models import OrgUnit
from backend.org.service import create_unit
from backend.people import service as people
from backend.people.idnumber import check_char
from backend.people.models import Person

_serial = itertools.count()


def id_number(region: str = "320102") -> str:
    """A fresh, never-repeated resident ID number with a valid MOD 11-2 check character."""
    n = next(_serial)
    body = f"{region}1985{1 + n // 28000 % 12:02d}{1 + n // 1000 % 28:02d}{n % 1000:03d}"
    return body + check_char(body)


@dataclass
class Org:
    enterprise: OrgUnit
    site_a: OrgUnit
    site_b: OrgUnit
    workshop_a: OrgUnit
    workshop_b: OrgUnit
    team_a: OrgUnit
    team_b: OrgUnit


async def make_org(db: AsyncSession) -> Org:
    ent = await create_unit(db, "enterprise", "ENT", "特作化工集团", None)
    site_a = await create_unit(db, "site", "SA", "一厂区", ent)
    site_b = await create_unit(db, "site", "SB", "二厂区", ent)
    ws_a = await create_unit(db, "workshop", "SA-W1", "聚合车间", site_a)
    ws_b = await create_unit(db, "workshop", "SB-W1", "罐区车间", site_b)
    team_a = await create_unit(db, "team", "SA-W1-T1", "聚合一班", ws_a)
    team_b = await create_unit(db, "team", "SB-W1-T1", "储运一班", ws_b)
    return Org(ent, site_a, site_b, ws_a, ws_b, team_a, team_b)


async def make_person(
    db: AsyncSession, secret: bytes, unit: OrgUnit, name: str, roles: list[tuple[str, OrgUnit]] | None = None
) -> Person:
    person = await people.create_person(
        db, people.id_cipher(secret), name=name, id_number=id_number(), unit=unit
    )
    for role, scope in roles or [("worker", unit)]:
        await people.grant_role(db, person, role, scope)
    return person
