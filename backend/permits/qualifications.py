"""Who may work: the seam to the qualifications service (issue 3), checked at submit, approve and start."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.people.models import Person


class Refusal(msgspec.Struct, kw_only=True):
    """Why one person may not do this work now."""

    person_id: uuid.UUID
    name: str
    item: str
    code: str
    reason: str


class WorkerQualifications(Protocol):
    async def check(
        self, db: AsyncSession, person_id: uuid.UUID, items: Sequence[str], at: datetime
    ) -> list[Refusal]:
        """Refusals for `person_id` doing operation `items` at `at`; empty when allowed."""
        ...


EMPLOYMENT_TEXT = {"suspended": "已停职（冻结）", "left": "已离职"}


class EmploymentOnly:
    """The default until the qualifications service lands: only people in active employment work.

    Certificate items are not checked here; `backend.workers` replaces this with the real
    certificate check (freeze at T-0 included) through `use()`.
    """

    async def check(
        self, db: AsyncSession, person_id: uuid.UUID, items: Sequence[str], at: datetime
    ) -> list[Refusal]:
        person = await db.get(Person, person_id, populate_existing=True)
        if person is None or person.deleted_at is not None:
            return [
                Refusal(person_id=person_id, name="?", item="", code="person_unknown", reason="人员不存在")
            ]
        if person.employment != "active":
            text = EMPLOYMENT_TEXT.get(person.employment, person.employment)
            return [
                Refusal(
                    person_id=person.id,
                    name=person.name,
                    item="",
                    code=f"employment_{person.employment}",
                    reason=f"{person.name}{text}，不得参加作业",
                )
            ]
        return []


_current: WorkerQualifications = EmploymentOnly()


def qualifications() -> WorkerQualifications:
    return _current


def use(service: WorkerQualifications) -> WorkerQualifications:
    """Install the service that answers qualification checks; returns the previous one."""
    global _current
    previous, _current = _current, service
    return previous
