"""B角 designations: who stands in for whom, in which role and unit; the rules and the audit trail.

The permit hand-over (backend/permits/approvals.py `deputy_of`) and alarm routing
(backend/alarms/recipients.py) read the `deputies` table; this module is how people write it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.audit.schemas import Evidence
from backend.auth.principal import Principal
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.org.models import OrgUnit
from backend.people.models import Deputy, Person, RoleAssignment
from backend.people.roles import DEPUTISABLE, STAND_IN_MANAGERS
from backend.people.schemas import DeputyBoard, DeputyOut, PersonBrief, RoleScope


async def person_of(db: AsyncSession, person_id: uuid.UUID) -> Person:
    person = await db.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("人员不存在", code="person_unknown")
    return person


def check_may_manage(who: Principal, person: Person) -> None:
    """The person themself, or admin / 车间主任 / 分管副总 / HR over their unit."""
    if who.person_id != person.id and not who.has_role(STAND_IN_MANAGERS, person.unit_path):
        raise Forbidden(
            "只有本人或其所在单位的管理员、车间主任、分管副总、人事可以办理", code="role_required"
        )


async def grants_of(db: AsyncSession, person_id: uuid.UUID, role: str | None = None) -> list[RoleScope]:
    """The person's live grants of roles a B角 can stand in for, with their units."""
    query = (
        select(RoleAssignment.role, OrgUnit)
        .join(OrgUnit, OrgUnit.id == RoleAssignment.scope_id)
        .where(
            RoleAssignment.person_id == person_id,
            RoleAssignment.deleted_at.is_(None),
            RoleAssignment.role.in_([role] if role else DEPUTISABLE),
        )
        .order_by(RoleAssignment.role, OrgUnit.path)
    )
    return [_scope(r, unit) for r, unit in (await db.execute(query)).all()]


def _scope(role: str, unit: OrgUnit) -> RoleScope:
    return RoleScope(
        role=role, scope_id=unit.id, scope_code=unit.code, scope_name=unit.name, scope_path=unit.path
    )


async def _scope_for(db: AsyncSession, principal: Person, role: str, scope: OrgUnit | None) -> OrgUnit:
    """The unit of the designation: the one given, inside a grant of the principal's; else their grant's."""
    if role not in DEPUTISABLE:
        raise Invalid("该角色没有B角（只有审批、监护、巡检岗位可以指定B角）", code="role_not_deputisable")
    grants = await grants_of(db, principal.id, role)
    if scope is None:
        if len(grants) != 1:
            detail = "本人没有该岗位角色" if not grants else "本人在多个单位担任该角色，请指定单位"
            raise Invalid(detail, code="principal_lacks_role" if not grants else "scope_required")
        unit = await db.get(OrgUnit, grants[0].scope_id)
        assert unit is not None
        return unit
    if not any(scope.path.startswith(g.scope_path) for g in grants):
        raise Invalid(f"本人在 {scope.name} 没有该岗位角色，不能为其指定B角", code="principal_lacks_role")
    return scope


async def candidates(
    db: AsyncSession, principal: Person, role: str, scope: OrgUnit | None, limit: int = 200
) -> list[PersonBrief]:
    """Who could be the principal's B角 here: active people of the same site, those holding the role
    over the unit first (the usual choice), then the unit's own people, then the rest of the site."""
    unit = await _scope_for(db, principal, role, scope)
    holders = set(
        await db.scalars(
            select(RoleAssignment.person_id).where(
                RoleAssignment.role == role,
                RoleAssignment.deleted_at.is_(None),
                RoleAssignment.scope_path.in_(_ancestors(unit.path)),
            )
        )
    )
    rows = await db.scalars(
        select(Person).where(
            Person.unit_path.startswith(_reach(unit.path), autoescape=True),
            Person.id != principal.id,
            Person.employment == "active",
            Person.deleted_at.is_(None),
        )
    )
    people = sorted(
        rows, key=lambda p: (p.id not in holders, not p.unit_path.startswith(unit.path), p.unit_path, p.name)
    )
    return [_brief(p, holds_role=p.id in holders) for p in people[:limit]]


def _reach(path: str) -> str:
    """Where a B角 may come from: the designation unit's site (the enterprise for enterprise roles)."""
    return _ancestors(path)[:2][-1]


def _ancestors(path: str) -> list[str]:
    """`/E/S/W/` → `/E/`, `/E/S/`, `/E/S/W/`: the scopes whose grants cover the unit."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]


async def designate(
    db: AsyncSession,
    principal: Person,
    deputy: Person,
    role: str,
    scope: OrgUnit | None,
    now: datetime,
    *,
    active_from: datetime | None = None,
    active_until: datetime | None = None,
    actor_id: uuid.UUID | None = None,
    evidence: Evidence | None = None,
) -> Deputy:
    """Name `deputy` the principal's B角 in `role` over `scope` (default: the principal's grant)."""
    unit = await _scope_for(db, principal, role, scope)
    if deputy.id == principal.id:
        raise Invalid("B角不能是本人", code="deputy_self")
    if deputy.employment != "active":
        raise Invalid(f"{deputy.name} 不在职，不能担任B角", code="deputy_inactive")
    # Not the same role: a 副班长 stands in for the 班长, an inspector for the safety officer. The
    # designation is the authority (the hand-over gives them the step); it must stay on the site.
    if not deputy.unit_path.startswith(_reach(unit.path)):
        raise Invalid(f"{deputy.name} 不属于 {unit.name} 所在厂区，不能担任B角", code="deputy_out_of_site")
    if active_from and active_until and active_until <= active_from:
        raise Invalid("B角有效期的结束时间须晚于开始时间", code="window_invalid")
    if active_until and active_until <= now:
        raise Invalid("B角有效期的结束时间已过", code="window_invalid")
    row = await db.scalar(
        select(Deputy).where(
            Deputy.principal_id == principal.id,
            Deputy.deputy_id == deputy.id,
            Deputy.role == role,
            Deputy.scope_id == unit.id,
        )
    )
    if row is not None and _live(row, now):
        raise Conflict(f"{deputy.name} 已是该岗位的B角", code="deputy_exists")
    if row is None:
        row = Deputy(
            principal_id=principal.id, deputy_id=deputy.id, role=role, scope_id=unit.id, scope_path=unit.path
        )
        db.add(row)
    # A removed or expired designation of the same four is brought back (one row per four, by constraint).
    row.deleted_at, row.active_from, row.active_until = None, active_from, active_until
    await db.flush()
    await _audit(db, "deputy.add", row, now, actor_id, evidence, {"deputy": deputy.name})
    return row


def _live(row: Deputy, now: datetime) -> bool:
    return row.deleted_at is None and (row.active_until is None or row.active_until > now)


async def live_designation(db: AsyncSession, deputy_id: uuid.UUID) -> Deputy:
    row = await db.get(Deputy, deputy_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("B角指定不存在或已取消", code="deputy_unknown")
    return row


async def remove(
    db: AsyncSession,
    row: Deputy,
    now: datetime,
    *,
    actor_id: uuid.UUID | None = None,
    evidence: Evidence | None = None,
) -> None:
    """Take a designation back (soft delete: phones learn of it through sync). Steps already handed
    to the B角 stay with them; new ones are not."""
    row.deleted_at = now
    await db.flush()
    await _audit(db, "deputy.remove", row, now, actor_id, evidence, {})


async def _audit(
    db: AsyncSession,
    action: str,
    row: Deputy,
    now: datetime,
    actor_id: uuid.UUID | None,
    evidence: Evidence | None,
    extra: dict[str, str],
) -> None:
    """On the principal's record, so it shows in their history beside their role grants."""
    unit = await db.get(OrgUnit, row.scope_id)
    details = {
        "designation": str(row.id),
        "deputy_id": str(row.deputy_id),
        "role": row.role,
        "scope": unit.code if unit else row.scope_path,
        "active_from": row.active_from.isoformat() if row.active_from else None,
        "active_until": row.active_until.isoformat() if row.active_until else None,
        **extra,
    }
    await audit.record(
        db,
        now,
        action=action,
        entity="person",
        entity_id=row.principal_id,
        actor_id=actor_id,
        details=details,
        evidence=evidence,
    )


async def board(db: AsyncSession, person: Person, now: datetime) -> DeputyBoard:
    """The person's grants, their B角 and the people they stand in for; current and future only."""
    live = (Deputy.deleted_at.is_(None), or_(Deputy.active_until.is_(None), Deputy.active_until > now))
    mine = await db.scalars(select(Deputy).where(Deputy.principal_id == person.id, *live))
    theirs = await db.scalars(select(Deputy).where(Deputy.deputy_id == person.id, *live))
    return DeputyBoard(
        person=_brief(person),
        roles=await grants_of(db, person.id),
        deputies=await to_out(db, list(mine), now),
        deputising_for=await to_out(db, list(theirs), now),
    )


async def to_out(db: AsyncSession, rows: Sequence[Deputy], now: datetime) -> list[DeputyOut]:
    people = {p.id: p for p in await db.scalars(select(Person).where(Person.id.in_(_people_in(rows))))}
    units = {
        u.id: u for u in await db.scalars(select(OrgUnit).where(OrgUnit.id.in_({r.scope_id for r in rows})))
    }
    out = [
        DeputyOut(
            id=r.id,
            principal=_brief(people[r.principal_id]),
            deputy=_brief(people[r.deputy_id]),
            role=r.role,
            scope=_scope(r.role, units[r.scope_id]),
            active_from=r.active_from,
            active_until=r.active_until,
            in_force=(r.active_from is None or r.active_from <= now) and _live(r, now),
        )
        for r in rows
    ]
    return sorted(out, key=lambda d: (d.role, d.scope.scope_path, d.principal.name, d.deputy.name))


def _people_in(rows: Sequence[Deputy]) -> set[uuid.UUID]:
    return {r.principal_id for r in rows} | {r.deputy_id for r in rows}


def _brief(person: Person, *, holds_role: bool = False) -> PersonBrief:
    return PersonBrief(id=person.id, name=person.name, unit_path=person.unit_path, holds_role=holds_role)
