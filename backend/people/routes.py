"""People endpoints: scoped reads, creation by admin/HR, one-time enrollment codes."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.auth.schemas import EnrollmentOut
from backend.auth.service import issue_enrollment
from backend.config import Settings
from backend.core.errors import Forbidden, NotFound
from backend.http.deps import Caller, ClientEvidence, Conf, Db, Now
from backend.people import service
from backend.people.models import Person
from backend.people.schemas import ContactUpdate, PersonCreate, PersonOut, PersonPage
from backend.sync.stamps import FieldStamps
from sync.rules import Stamp

MANAGE = ("admin", "hr")


class PeopleController(Controller):
    path = "/api/people"
    tags = ["people"]

    @get("/", operation_id="listPeople")
    async def list_people(
        self,
        db: Db,
        principal: Caller,
        unit_path: FromQuery[str | None] = None,
        q: Annotated[str | None, QueryParameter(min_length=1, max_length=50)] = None,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> PersonPage:
        """`q`: part of the name (the PWA's person pickers search by it)."""
        items, total = await service.list_people(
            db, principal, unit_path=unit_path, name=q, offset=offset, limit=limit
        )
        return PersonPage(items=items, total=total, offset=offset, limit=limit)

    @get("/{person_id:uuid}", operation_id="getPerson")
    async def get_person(self, db: Db, principal: Caller, person_id: FromPath[uuid.UUID]) -> PersonOut:
        return await service.read_person(db, principal, person_id)

    @post("/", operation_id="createPerson")
    async def create_person(
        self,
        data: JSONBody[PersonCreate],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        evidence: ClientEvidence,
    ) -> PersonOut:
        unit = await service.unit_by_code(db, data.unit_code)
        principal.require(MANAGE, unit.path)
        signed = evidence.with_credential(principal.credential_id)
        person = await service.create_person(
            db,
            service.id_cipher(settings.secret_key),
            name=data.name,
            id_number=data.id_number,
            unit=unit,
            phone=data.phone,
            contractor_id=data.contractor_id,
            actor_id=principal.person_id,
            evidence=signed,
            now=now,
        )
        for grant in data.roles:
            scope = await service.unit_by_code(db, grant.scope_code)
            principal.require(MANAGE, scope.path)
            await service.grant_role(db, person, grant.role, scope, principal.person_id, signed, now)
        return await service.read_person(db, principal, person.id)

    @patch("/{person_id:uuid}/contact", operation_id="updateContact")
    async def update_contact(
        self,
        data: JSONBody[ContactUpdate],
        db: Db,
        principal: Caller,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> PersonOut:
        """The same rule as the `worker.update_contact` sync command, stamped with server time."""
        stamps = FieldStamps(db)
        server_write = Stamp(at=int(now.timestamp() * 1000), hlc="", device="")
        await service.update_contact(db, principal, person_id, data, server_write, stamps)
        await stamps.flush()
        return await service.read_person(db, principal, person_id)

    @post("/{person_id:uuid}/enrollment", operation_id="issueEnrollment")
    async def enrollment(
        self,
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        evidence: ClientEvidence,
        person_id: FromPath[uuid.UUID],
    ) -> EnrollmentOut:
        person = await db.get(Person, person_id)
        if person is None:
            raise NotFound("人员不存在", code="person_unknown")
        if not principal.has_role(MANAGE, person.unit_path):
            raise Forbidden("只有管理员或人事可生成注册码", code="role_required")
        code, enrollment = await issue_enrollment(
            db,
            person.id,
            now,
            timedelta(minutes=settings.enrollment_minutes),
            principal.person_id,
            evidence.with_credential(principal.credential_id),
        )
        return EnrollmentOut(
            person_id=person.id,
            code=code,
            url=enrollment_url(settings, code),
            expires_at=enrollment.expires_at.isoformat(),
        )


def enrollment_url(settings: Settings, code: str) -> str:
    return f"{settings.base_url}/#/enroll/{code}"
