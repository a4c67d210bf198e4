"""Who may do what with qualification records (SECURITY.md: roles within a scope)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.people.models import Person
from backend.workers.service import person_in_view

# Certificates and the records around them: the HR department, the safety department, admins.
MANAGE = ("admin", "hr", "safety_officer")
# Employment changes and full ID numbers: HR and admins only.
HR = ("admin", "hr")
# Anyone who supervises work on site may record a violation.
RECORD_VIOLATIONS = (
    "admin",
    "hr",
    "safety_officer",
    "inspector",
    "team_leader",
    "workshop_director",
    "guardian",
)


async def managed(
    db: AsyncSession, principal: Principal, person_id: uuid.UUID, roles: tuple[str, ...]
) -> Person:
    """The person, if the caller holds one of `roles` over the person's unit."""
    person = await person_in_view(db, principal, person_id)
    principal.require(roles, person.unit_path)
    return person


def ledger_scopes(principal: Principal) -> list[str]:
    """Path prefixes whose certificates the caller may list; workers alone get none."""
    return principal.visible_scopes()
