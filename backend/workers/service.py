"""The qualifications service: what other domains, the CLI, the scheduler and the routes call.

Rules live in the `_part.py` modules (deadlines, numbers, certificates, qualification, freezes,
warnings, the daily scan, records, views); this module is the one import for callers:

    from backend.workers.service import qualification
    q = await qualification(db, person_id, "mem:02-01", permit.starts_at, catalog_for(settings))
    if not q.allowed: refuse(q.reasons)
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.catalog.service import catalog_for
from backend.config import Settings
from backend.core.errors import Forbidden, NotFound
from backend.people.models import Person
from backend.workers.certificates_part import (
    CertificateInput,
    Ctx,
    add_certificate,
    certificates_of,
    get_certificate,
    record_review,
    renew,
    revoke,
)
from backend.workers.deadlines_part import lapse_reason, plan_deadlines, status_on
from backend.workers.employment_part import change_employment
from backend.workers.freeze_part import freeze, lift, open_freezes
from backend.workers.numbers_part import Ciphers, ciphers_for
from backend.workers.qualification_part import Qualification, Reason, qualification
from backend.workers.scan_part import ScanResult, daily_scan, shadow_operators
from backend.workers.warnings_part import arm, disarm

__all__ = [
    "CertificateInput",
    "Ciphers",
    "Ctx",
    "Qualification",
    "Reason",
    "ScanResult",
    "add_certificate",
    "arm",
    "certificates_of",
    "change_employment",
    "ciphers_for",
    "context",
    "daily_scan",
    "disarm",
    "freeze",
    "get_certificate",
    "lapse_reason",
    "lift",
    "open_freezes",
    "person_in_view",
    "plan_deadlines",
    "qualification",
    "record_review",
    "renew",
    "revoke",
    "shadow_operators",
    "status_on",
]


def context(db: AsyncSession, settings: Settings, now: datetime, actor_id: uuid.UUID | None = None) -> Ctx:
    return Ctx(db, catalog_for(settings), ciphers_for(settings.secret_key), now, actor_id)


async def person_in_view(db: AsyncSession, who: Principal, person_id: uuid.UUID) -> Person:
    """The person, if the caller is that person or oversees their unit."""
    person = await db.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("人员不存在", code="person_unknown")
    if not who.can_see_person(person.id, person.unit_path):
        raise Forbidden("无权查看该人员", code="out_of_scope")
    return person
