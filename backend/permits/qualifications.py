"""Who may work: the seam to the qualifications service (issue 3), checked at submit, approve and start."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import msgspec
from sqlalchemy import select
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

    async def check_many(
        self, db: AsyncSession, asks: Sequence[tuple[uuid.UUID, Sequence[str]]], at: datetime
    ) -> list[Refusal]:
        """`check` of several (person, items) at once, refusals in the order asked (a crew)."""
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
        return await self.check_many(db, [(person_id, items)], at)

    async def check_many(
        self, db: AsyncSession, asks: Sequence[tuple[uuid.UUID, Sequence[str]]], at: datetime
    ) -> list[Refusal]:
        ids = list(dict.fromkeys(pid for pid, _ in asks))
        found = await db.scalars(
            select(Person).where(Person.id.in_(ids)).execution_options(populate_existing=True)
        )
        people = {p.id: p for p in found}
        refusals: list[Refusal] = []
        for pid, _items in asks:
            person = people.get(pid)
            if person is None or person.deleted_at is not None:
                refusals.append(
                    Refusal(person_id=pid, name="?", item="", code="person_unknown", reason="人员不存在")
                )
            elif person.employment != "active":
                text = EMPLOYMENT_TEXT.get(person.employment, person.employment)
                refusals.append(
                    Refusal(
                        person_id=person.id,
                        name=person.name,
                        item="",
                        code=f"employment_{person.employment}",
                        reason=f"{person.name}{text}，不得参加作业",
                    )
                )
        return refusals


_current: WorkerQualifications = EmploymentOnly()


def qualifications() -> WorkerQualifications:
    return _current


def use(service: WorkerQualifications) -> WorkerQualifications:
    """Install the service that answers qualification checks; returns the previous one."""
    global _current
    previous, _current = _current, service
    return previous
