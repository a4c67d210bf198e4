"""Who may do what here: the person themselves, or whoever manages their qualifications."""

from __future__ import annotations

import uuid
from typing import Any

from backend.auth.principal import Principal
from backend.core.errors import Forbidden
from backend.people.models import Person
from backend.workers import service as workers
from backend.workers.guards_part import MANAGE

# Assessors of practical exams: the qualification managers (an enterprise may add its own role).
ASSESS = MANAGE


async def self_or_managed(db: Any, principal: Principal, person_id: uuid.UUID) -> Person:
    """The person when the caller is that person or manages their qualifications."""
    person = await workers.person_in_view(db, principal, person_id)
    if person.id != principal.person_id:
        principal.require(MANAGE, person.unit_path)
    return person


def only_self(principal: Principal, person_id: uuid.UUID) -> None:
    """Consent and liveness are the person's own acts: nobody answers them on their behalf."""
    if principal.person_id != person_id:
        raise Forbidden("只能由本人操作", code="self_only")
