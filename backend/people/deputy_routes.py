"""B角 endpoints: a person's designations both ways, the people who could stand in, add and remove."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.http.deps import Caller, Db, Now
from backend.people import deputies
from backend.people.roles import Role
from backend.people.schemas import DeputyBoard, DeputyCreate, DeputyOut, PersonBrief
from backend.people.service import unit_by_code


class DeputyController(Controller):
    path = "/api/deputies"
    tags = ["people"]

    @get("/", operation_id="listDeputies")
    async def board(
        self, db: Db, principal: Caller, now: Now, person_id: FromQuery[uuid.UUID | None] = None
    ) -> DeputyBoard:
        person = await deputies.person_of(db, person_id or principal.person_id)
        deputies.check_may_manage(principal, person)
        return await deputies.board(db, person, now)

    @get("/candidates", operation_id="deputyCandidates")
    async def candidates(
        self,
        db: Db,
        principal: Caller,
        role: FromQuery[Role],
        scope_code: FromQuery[str | None] = None,
        person_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[PersonBrief]:
        person = await deputies.person_of(db, person_id or principal.person_id)
        deputies.check_may_manage(principal, person)
        scope = await unit_by_code(db, scope_code) if scope_code else None
        return await deputies.candidates(db, person, role, scope)

    @post("/", operation_id="addDeputy")
    async def add(self, data: JSONBody[DeputyCreate], db: Db, principal: Caller, now: Now) -> DeputyOut:
        person = await deputies.person_of(db, data.principal_id or principal.person_id)
        deputies.check_may_manage(principal, person)
        deputy = await deputies.person_of(db, data.deputy_id)
        scope = await unit_by_code(db, data.scope_code) if data.scope_code else None
        row = await deputies.designate(
            db,
            person,
            deputy,
            data.role,
            scope,
            now,
            active_from=data.active_from,
            active_until=data.active_until,
            actor_id=principal.person_id,
        )
        return (await deputies.to_out(db, [row], now))[0]

    @delete("/{deputy_id:uuid}", operation_id="removeDeputy")
    async def remove(self, db: Db, principal: Caller, now: Now, deputy_id: FromPath[uuid.UUID]) -> None:
        row = await deputies.live_designation(db, deputy_id)
        deputies.check_may_manage(principal, await deputies.person_of(db, row.principal_id))
        await deputies.remove(db, row, now, actor_id=principal.person_id)
