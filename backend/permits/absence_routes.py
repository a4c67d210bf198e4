"""Absence endpoints: mark someone away, list their current and future absences, end one early."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.http.deps import Caller, Db, Now
from backend.people.deputies import check_may_manage, person_of
from backend.permits import absences
from backend.permits.schemas import AbsenceIn, AbsenceOut


class AbsenceController(Controller):
    """The person themself, or admin / 车间主任 / 分管副总 / HR over their unit."""

    path = "/api/permits/absences"
    tags = ["permits"]

    @post("/", operation_id="markAway")
    async def mark(self, data: JSONBody[AbsenceIn], db: Db, principal: Caller, now: Now) -> AbsenceOut:
        person = await person_of(db, data.person_id or principal.person_id)
        check_may_manage(principal, person)
        row = await absences.register_absence(
            db, person, data.starts_at, data.ends_at, data.reason, now, principal.person_id
        )
        return absences.to_out(row, person, now)

    @get("/", operation_id="listAbsences")
    async def list_absences(
        self, db: Db, principal: Caller, now: Now, person_id: FromQuery[uuid.UUID | None] = None
    ) -> list[AbsenceOut]:
        person = await person_of(db, person_id or principal.person_id)
        check_may_manage(principal, person)
        return await absences.absences_of(db, person, now)

    @post("/{absence_id:uuid}/end", operation_id="endAbsence", status_code=200)
    async def end(self, db: Db, principal: Caller, now: Now, absence_id: FromPath[uuid.UUID]) -> AbsenceOut:
        row = await absences.live_absence(db, absence_id)
        person = await person_of(db, row.person_id)
        check_may_manage(principal, person)
        await absences.end_absence(db, row, now, principal.person_id)
        return absences.to_out(row, person, now)
