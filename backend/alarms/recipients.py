"""Who an alarm reaches: the people on the permit in force where it happened, else the role holders
around the place; a recipient marked away is replaced by their B角, and the hand-over is recorded.

Routing reads everything it needs in a few set-based queries (no per-person round trips): the
permits in force in the area (only when the alarm has an area), the role holders, and one query
for the chosen people's language, absence and push subscriptions together.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String

from backend.alarms.access import ancestors
from backend.db.base import UtcDateTime
from backend.people.models import Deputy, Person, RoleAssignment
from backend.permits.models import Absence, Permit
from backend.push.models import PushSubscription

# The roles a permit names people for: its guardian, its operators' team leader, the area inspector.
PERMIT_ROLES = ("guardian", "team_leader", "inspector")
IN_FORCE = ("active",)  # work under way; approved-but-not-started and suspended permits have nobody at work
NOWHERE = "//"  # no unit path starts with it: "holders over these paths only"


@dataclass
class Pick:
    """A person an alarm reaches, through which role, and (B角) for whom they stand in."""

    person_id: uuid.UUID
    role: str
    locale: str = "zh-CN"
    devices: list[uuid.UUID] = field(default_factory=list)
    stands_in_for: uuid.UUID | None = None
    permit_id: uuid.UUID | None = None


def _absent_now() -> Any:
    return and_(
        Absence.person_id == Person.id,
        Absence.deleted_at.is_(None),
        Absence.starts_at <= bindparam("now", type_=UtcDateTime()),
        Absence.ends_at > bindparam("now", type_=UtcDateTime()),
    )


# Built once: statement construction is a large share of SQLAlchemy's cost per call.
_HOLDERS = (
    select(RoleAssignment.person_id, RoleAssignment.role, RoleAssignment.scope_path)
    .join(Person, Person.id == RoleAssignment.person_id)
    .where(
        RoleAssignment.role.in_(bindparam("roles", expanding=True, type_=String())),
        RoleAssignment.deleted_at.is_(None),
        Person.deleted_at.is_(None),
        Person.employment == "active",
        or_(
            RoleAssignment.scope_path.in_(bindparam("over", expanding=True, type_=String())),
            RoleAssignment.scope_path.startswith(bindparam("inside"), escape="^"),
        ),
    )
    .order_by(RoleAssignment.person_id, RoleAssignment.role)
)
# The same, with each holder's language, absence and devices: the routing of an alarm without a
# permit is this one query.
_HOLDERS_REACHED = (
    _HOLDERS.with_only_columns(
        RoleAssignment.person_id,
        RoleAssignment.role,
        Person.locale,
        Absence.id,
        PushSubscription.device_id,
    )
    .outerjoin(Absence, _absent_now())
    .outerjoin(PushSubscription, PushSubscription.person_id == Person.id)
)
_CONTACTS = (
    select(Person.id, Person.locale, Absence.id, PushSubscription.device_id)
    .outerjoin(Absence, _absent_now())
    .outerjoin(PushSubscription, PushSubscription.person_id == Person.id)
    .where(
        Person.id.in_(bindparam("ids", expanding=True, type_=Uuid())),
        Person.deleted_at.is_(None),
        Person.employment == "active",
    )
)
_PERMITS = select(Permit.id, Permit.guardian_id, Permit.operator_ids, Permit.scope_path).where(
    Permit.area_id == bindparam("area", type_=Uuid()),
    Permit.status.in_(IN_FORCE),
    Permit.valid_until > bindparam("now", type_=UtcDateTime()),
    Permit.deleted_at.is_(None),
)
_TEAMS = select(Person.id, Person.unit_path).where(
    Person.id.in_(bindparam("ids", expanding=True, type_=Uuid()))
)
_DEPUTIES = (
    select(Deputy.principal_id, Deputy.role, Deputy.deputy_id, Deputy.scope_path)
    .where(
        Deputy.principal_id.in_(bindparam("ids", expanding=True, type_=Uuid())),
        Deputy.deleted_at.is_(None),
        or_(Deputy.active_from.is_(None), Deputy.active_from <= bindparam("now", type_=UtcDateTime())),
        or_(Deputy.active_until.is_(None), Deputy.active_until > bindparam("now", type_=UtcDateTime())),
    )
    .order_by(Deputy.principal_id, Deputy.deputy_id)
)


def _like_escaped(path: str) -> str:
    """`path` for `startswith(…, escape="^")`: its own LIKE wildcards taken literally."""
    return path.replace("^", "^^").replace("%", "^%").replace("_", "^_")


@dataclass
class Contact:
    locale: str
    away: bool
    devices: list[uuid.UUID]


async def contacts(db: AsyncSession, ids: set[uuid.UUID], now: datetime) -> dict[uuid.UUID, Contact]:
    """Language, absence and subscribed devices of the active people among `ids`, in one query."""
    if not ids:
        return {}
    found: dict[uuid.UUID, Contact] = {}
    for person_id, locale, absence, device_id in await db.execute(_CONTACTS, {"ids": list(ids), "now": now}):
        _add_contact(found, person_id, locale, absence, device_id)
    return found


def _add_contact(
    found: dict[uuid.UUID, Contact], person_id: uuid.UUID, locale: str, absence: Any, device_id: Any
) -> None:
    contact = found.setdefault(person_id, Contact(locale, False, []))
    contact.away = contact.away or absence is not None
    if device_id is not None and device_id not in contact.devices:
        contact.devices.append(device_id)


def _near(path: str, holders: list[tuple[uuid.UUID, str]]) -> list[uuid.UUID]:
    """The holders whose scope contains `path`, nearest scope only (the team's leader, not the site's)."""
    over = [(pid, scope) for pid, scope in holders if path.startswith(scope)]
    if not over:
        return []
    nearest = max(len(scope) for _, scope in over)
    return [pid for pid, scope in over if len(scope) == nearest]


async def _on_permits(
    db: AsyncSession, area_id: uuid.UUID, roles: list[str], now: datetime
) -> tuple[list[tuple[uuid.UUID, str, uuid.UUID]], list[uuid.UUID]]:
    """(person, role, permit) named by the permits in force in the area, and those permits' ids."""
    permits = (await db.execute(_PERMITS, {"area": area_id, "now": now})).all()
    wanted = [r for r in roles if r in PERMIT_ROLES]
    if not permits or not wanted:
        return [], [p.id for p in permits]
    operators = {uuid.UUID(str(o)) for p in permits for o in p.operator_ids}
    team_of: dict[uuid.UUID, str] = {}
    if "team_leader" in wanted and operators:
        team_of = {pid: path for pid, path in await db.execute(_TEAMS, {"ids": list(operators)})}
    paths = {*team_of.values(), *(p.scope_path for p in permits)}
    over = sorted({a for path in paths for a in ancestors(path)})
    holders: dict[str, list[tuple[uuid.UUID, str]]] = defaultdict(list)
    for pid, role, scope in await db.execute(
        _HOLDERS, {"roles": ["team_leader", "inspector"], "over": over or [""], "inside": NOWHERE}
    ):
        holders[role].append((pid, scope))
    named: list[tuple[uuid.UUID, str, uuid.UUID]] = []
    for permit in permits:
        if "guardian" in wanted and permit.guardian_id:
            named.append((permit.guardian_id, "guardian", permit.id))
        if "team_leader" in wanted:
            teams = {team_of[o] for o in (uuid.UUID(str(x)) for x in permit.operator_ids) if o in team_of}
            for team in sorted(teams):
                named += [(pid, "team_leader", permit.id) for pid in _near(team, holders["team_leader"])]
        if "inspector" in wanted:
            named += [(pid, "inspector", permit.id) for pid in _near(permit.scope_path, holders["inspector"])]
    return named, [p.id for p in permits]


async def choose(
    db: AsyncSession,
    *,
    roles: list[str],
    path: str,
    area_id: uuid.UUID | None,
    skip: set[uuid.UUID | None],
    now: datetime,
    by_permit: bool,
) -> tuple[dict[uuid.UUID, Pick], list[uuid.UUID]]:
    """The people `roles` reach for an alarm at `path` (person → pick), and the permits consulted.

    With `by_permit` and a permit in force in the area, the permit's guardian, its operators' team
    leader and the area inspector stand for those roles; a role the permit names nobody for, and
    every other role, is reached through its holders over or inside `path` as without a permit.
    """
    named: list[tuple[uuid.UUID, str, uuid.UUID | None]] = []
    permit_ids: list[uuid.UUID] = []
    found: dict[uuid.UUID, Contact] = {}
    if by_permit and area_id is not None:
        on_permit, permit_ids = await _on_permits(db, area_id, roles, now)
        if on_permit:
            # Only people still employed count as named: a permit whose guardian has left falls
            # back to the guardian role holders around the place instead of reaching nobody.
            found = await contacts(db, {pid for pid, _, _ in on_permit}, now)
            named += [n for n in on_permit if n[0] in found]
    covered = {role for _, role, _ in named}
    by_role = [r for r in roles if r not in covered]
    if by_role:
        params = {"roles": by_role, "over": ancestors(path), "inside": _like_escaped(path), "now": now}
        for pid, role, locale, absence, device_id in await db.execute(_HOLDERS_REACHED, params):
            named.append((pid, role, None))
            _add_contact(found, pid, locale, absence, device_id)
    picks: dict[uuid.UUID, Pick] = {}
    for pid, role, permit_id in named:
        if pid not in skip and pid not in picks:
            picks[pid] = Pick(pid, role, permit_id=permit_id)
    found.update(await contacts(db, set(picks) - set(found), now))
    away = {pid: pick for pid, pick in picks.items() if pid in found and found[pid].away}
    deputies = await _deputies(db, away, path, now) if away else {}
    chosen: dict[uuid.UUID, Pick] = {}
    for pid, pick in picks.items():
        contact = found.get(pid)
        if contact is None:  # left, or deleted meanwhile
            continue
        stand_in = deputies.get(pid)
        if stand_in is not None and stand_in[0] not in skip:
            deputy_id, deputy_contact = stand_in
            if deputy_id not in chosen and deputy_id not in picks:
                chosen[deputy_id] = Pick(
                    deputy_id,
                    pick.role,
                    deputy_contact.locale,
                    deputy_contact.devices,
                    stands_in_for=pid,
                    permit_id=pick.permit_id,
                )
            continue
        # Away without a B角 who can take it: the alarm still goes to them rather than to nobody.
        chosen.setdefault(
            pid, Pick(pid, pick.role, contact.locale, contact.devices, permit_id=pick.permit_id)
        )
    return chosen, permit_ids


async def _deputies(
    db: AsyncSession, away: dict[uuid.UUID, Pick], path: str, now: datetime
) -> dict[uuid.UUID, tuple[uuid.UUID, Contact]]:
    """For each away person, their B角 for the role they were picked for: in scope, active, present."""
    rows = (await db.execute(_DEPUTIES, {"ids": list(away), "now": now})).all()
    candidates = [
        r
        for r in rows
        if r.role == away[r.principal_id].role
        and (path.startswith(r.scope_path) or r.scope_path.startswith(path))
    ]
    found = await contacts(db, {r.deputy_id for r in candidates}, now)
    chosen: dict[uuid.UUID, tuple[uuid.UUID, Contact]] = {}
    for r in candidates:
        contact = found.get(r.deputy_id)
        if r.principal_id not in chosen and contact is not None and not contact.away:
            chosen[r.principal_id] = (r.deputy_id, contact)
    return chosen
