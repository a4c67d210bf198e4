"""People rules: create by resident ID number, grant roles in a scope, scoped reads."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.audit.schemas import Evidence
from backend.auth.principal import Principal
from backend.core.clock import utcnow
from backend.core.crypto import FieldCipher
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.db.changes import version_at_start
from backend.org.models import OrgUnit
from backend.people import idnumber
from backend.people.models import EMPLOYMENT, Deputy, Person, RoleAssignment
from backend.people.roles import ROLES
from backend.people.schemas import ContactUpdate, PersonOut
from backend.sync.stamps import FieldStamps
from sync.rules import Stamp, lww_merge


def id_cipher(secret: bytes) -> FieldCipher:
    return FieldCipher(secret, "id_number")


async def unit_by_code(db: AsyncSession, code: str) -> OrgUnit:
    unit = await db.scalar(select(OrgUnit).where(OrgUnit.code == code, OrgUnit.deleted_at.is_(None)))
    if unit is None:
        raise NotFound(f"组织单元 {code} 不存在", code="unit_unknown")
    return unit


async def find_by_id_number(db: AsyncSession, cipher: FieldCipher, raw: str) -> Person | None:
    number = idnumber.normalise(raw)
    return await db.scalar(select(Person).where(Person.id_number_index == cipher.blind_index(number)))


async def create_person(
    db: AsyncSession,
    cipher: FieldCipher,
    *,
    name: str,
    id_number: str,
    unit: OrgUnit,
    phone: str | None = None,
    contractor_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    evidence: Evidence | None = None,
    now: datetime | None = None,
) -> Person:
    """A new person keyed by resident ID number; audited (the number itself never is)."""
    number = idnumber.normalise(id_number)
    if not name.strip() or len(name) > 64:
        raise Invalid("姓名不能为空且不超过64字", code="name_invalid")
    if await find_by_id_number(db, cipher, number) is not None:
        raise Conflict("该身份证号已登记", code="id_number_taken")
    person = Person(
        name=name.strip(),
        id_number_enc=cipher.encrypt(number),
        id_number_index=cipher.blind_index(number),
        id_number_masked=idnumber.mask(number),
        phone=phone,
        unit_id=unit.id,
        unit_path=unit.path,
        contractor_id=contractor_id,
        webauthn_user_id=os.urandom(32),
    )
    db.add(person)
    await db.flush()
    await audit.record(
        db,
        now or utcnow(),
        action="person.create",
        entity="person",
        entity_id=person.id,
        entity_version=person.version,
        actor_id=actor_id,
        details={"unit": unit.code, "contractor_id": str(contractor_id) if contractor_id else None},
        evidence=evidence,
    )
    return person


async def grant_role(
    db: AsyncSession,
    person: Person,
    role: str,
    scope: OrgUnit,
    actor_id: uuid.UUID | None = None,
    evidence: Evidence | None = None,
    now: datetime | None = None,
) -> RoleAssignment:
    """A role within a scope; authority changes are audited."""
    if role not in ROLES:
        raise Invalid(f"未知角色 {role}", code="role_unknown")
    grant = RoleAssignment(person_id=person.id, role=role, scope_id=scope.id, scope_path=scope.path)
    db.add(grant)
    await db.flush()
    await audit.record(
        db,
        now or utcnow(),
        action="role.grant",
        entity="person",
        entity_id=person.id,
        entity_version=person.version,
        actor_id=actor_id,
        details={"role": role, "scope": scope.code},
        evidence=evidence,
    )
    return grant


async def add_deputy(
    db: AsyncSession, principal: Person, deputy: Person, role: str, scope: OrgUnit
) -> Deputy:
    """B角: the deputy acts for the principal in `role` within `scope`, unchecked and unaudited.

    The demo loader's and test fixtures' shortcut; people name a B角 through
    `backend.people.deputies.designate`, which applies the rules and records it in the audit log."""
    if principal.id == deputy.id:
        raise Invalid("B角不能是本人", code="deputy_self")
    row = Deputy(
        principal_id=principal.id, deputy_id=deputy.id, role=role, scope_id=scope.id, scope_path=scope.path
    )
    db.add(row)
    await db.flush()
    return row


async def roles_of(db: AsyncSession, person_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = await db.execute(
        select(RoleAssignment.person_id, RoleAssignment.role).where(
            RoleAssignment.person_id.in_(person_ids), RoleAssignment.deleted_at.is_(None)
        )
    )
    out: dict[uuid.UUID, list[str]] = {pid: [] for pid in person_ids}
    for pid, role in rows:
        if role not in out[pid]:
            out[pid].append(role)
    return out


async def names_of(db: AsyncSession, person_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await db.execute(select(Person.id, Person.name).where(Person.id.in_(person_ids)))
    return {pid: name for pid, name in rows}


def to_out(person: Person, roles: list[str]) -> PersonOut:
    return PersonOut(
        id=person.id,
        name=person.name,
        id_number_masked=person.id_number_masked,
        unit_id=person.unit_id,
        unit_path=person.unit_path,
        contractor_id=person.contractor_id,
        employment=person.employment,
        roles=sorted(roles),
        version=person.version,
        phone=person.phone,
        locale=person.locale,
    )


async def read_person(db: AsyncSession, who: Principal, person_id: uuid.UUID) -> PersonOut:
    """One person, if the caller is that person or oversees their unit."""
    person = await db.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("人员不存在", code="person_unknown")
    if not who.can_see_person(person.id, person.unit_path):
        raise Forbidden("无权查看该人员", code="out_of_scope")
    return to_out(person, (await roles_of(db, [person.id]))[person.id])


async def list_people(
    db: AsyncSession,
    who: Principal,
    *,
    unit_path: str | None,
    offset: int,
    limit: int,
    name: str | None = None,
) -> tuple[list[PersonOut], int]:
    """People the caller may see, optionally under one unit and/or whose name holds `name`;
    a worker sees only themself."""
    visible = or_(Person.id == who.person_id, *[Person.unit_path.startswith(p) for p in who.visible_scopes()])
    query = select(Person).where(Person.deleted_at.is_(None), visible)
    if unit_path:
        query = query.where(Person.unit_path.startswith(unit_path))
    if name and name.strip():
        query = query.where(Person.name.contains(name.strip(), autoescape=True))
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = (
        await db.scalars(query.order_by(Person.unit_path, Person.name).offset(offset).limit(limit))
    ).all()
    roles = await roles_of(db, [p.id for p in people])
    return [to_out(p, roles[p.id]) for p in people], total


PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
LOCALES = ("zh-CN", "en")
CONTACT_MANAGERS = ("admin", "hr")


@dataclass
class ContactOutcome:
    person: Person
    lost: list[str]  # fields a later write (by last-writer-wins) kept
    stale: bool  # the caller had not seen the current version


def contact_changes(update: ContactUpdate) -> dict[str, str | None]:
    """The fields an update sets, validated; codes shared with sync/reference.py."""
    changes: dict[str, str | None] = {}
    if update.phone is not msgspec.UNSET:
        if update.phone is not None and not PHONE.match(update.phone):
            raise Invalid("电话号码格式不正确", code="phone_invalid")
        changes["phone"] = update.phone
    if update.locale is not msgspec.UNSET:
        if update.locale not in LOCALES:
            raise Invalid("不支持的语言", code="locale_invalid")
        changes["locale"] = update.locale
    if not changes:
        raise Invalid("没有要修改的联系方式", code="invalid_args")
    return changes


async def update_contact(
    db: AsyncSession,
    who: Principal,
    person_id: uuid.UUID,
    update: ContactUpdate,
    stamp: Stamp,
    stamps: FieldStamps,
    base_version: int | None = None,
) -> ContactOutcome:
    """Change phone/locale, each field last-writer-wins by `stamp` (REST and sync alike).

    Allowed for the person themself and for admin/HR over their unit. Checks everything
    before it writes (a sync command may not fail half-way).
    """
    person = await db.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("人员不存在", code="person_unknown")
    if person.id != who.person_id and not who.has_role(CONTACT_MANAGERS, person.unit_path):
        raise Forbidden("只能修改本人的联系方式", code="role_required")
    changes = contact_changes(update)
    await stamps.load("person", [person.id])
    won, lost = lww_merge(stamps.get("person", person.id), changes, stamp)
    for name, value in won.items():
        setattr(person, name, value)
    stamps.set("person", person.id, won, stamp)
    stale = base_version is not None and base_version < version_at_start(db.sync_session, person)
    return ContactOutcome(person, lost, stale)


async def set_employment(db: AsyncSession, person: Person, status: str, now: datetime) -> bool:
    """Change a person's employment state; True if it changed. Leaving stamps `left_at`.

    What follows from it (freezes, gate access, timers) is the qualifications domain's job:
    call `backend.workers.service.change_employment`, which calls this.
    """
    if status not in EMPLOYMENT:
        raise Invalid(f"未知在职状态 {status}", code="employment_unknown")
    if person.employment == status:
        return False
    person.employment = status
    person.left_at = now if status == "left" else None
    await db.flush()
    return True


async def holders_covering(
    db: AsyncSession, path: str, roles: Sequence[str], *, within: str = "/"
) -> list[uuid.UUID]:
    """People holding one of `roles` over `path`, granted at `within` or below (e.g. a workshop)."""
    ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and path[: i + 1].startswith(within)]
    if not ancestors:
        return []
    rows = await db.scalars(
        select(RoleAssignment.person_id)
        .where(
            RoleAssignment.role.in_(roles),
            RoleAssignment.scope_path.in_(ancestors),
            RoleAssignment.deleted_at.is_(None),
        )
        .distinct()
    )
    return list(rows)
