"""Qualification endpoints: a worker's file and countdown, certificates, the manager's ledger,
shadow operators, freezes, contractors. Handlers are thin: check the scope, call the service.

`router` bundles this issue's controllers (and the catalogue and ledger import/export ones) so
that app.py adds them with one line. In-app notifications are listed by the permits domain
(`GET /api/permits/notifications`), whose table the warnings write to.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from litestar import Controller, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.catalog.routes import CatalogController
from backend.core.errors import Forbidden
from backend.http.deps import Caller, Conf, Db, Now
from backend.ledger.routes import LedgerController
from backend.workers import records_part, service
from backend.workers.guards_part import HR, MANAGE, RECORD_VIOLATIONS, managed
from backend.workers.routes_certificates_part import CertificatesController
from backend.workers.routes_views_part import ContractorsController, QualificationsController
from backend.workers.schemas import (
    AssessmentIn,
    AssignmentIn,
    EmploymentIn,
    EmploymentOut,
    IdNumberOut,
    OffJobIn,
    QualificationOut,
    ReasonOut,
    RecordOut,
    TrainingIn,
    ViolationIn,
    WorkerOut,
)


def qualification_out(q: service.Qualification) -> QualificationOut:
    return QualificationOut(
        allowed=q.allowed,
        person_id=q.person_id,
        item_key=q.item_key,
        on=q.on,
        reasons=[ReasonOut(code=r.code, detail=r.detail, params=r.params) for r in q.reasons],
        certificate_id=q.certificate_id,
        deadline_on=q.deadline_on,
    )


class WorkersController(Controller):
    path = "/api/workers"
    tags = ["qualifications"]

    @get("/me", operation_id="getMyQualifications")
    async def me(self, db: Db, principal: Caller, settings: Conf, now: Now) -> WorkerOut:
        person = await service.person_in_view(db, principal, principal.person_id)
        return await records_part.worker_file(service.context(db, settings, now), person)

    @get("/{person_id:uuid}", operation_id="getWorkerQualifications")
    async def worker(
        self, db: Db, principal: Caller, settings: Conf, now: Now, person_id: FromPath[uuid.UUID]
    ) -> WorkerOut:
        person = await service.person_in_view(db, principal, person_id)
        return await records_part.worker_file(service.context(db, settings, now), person)

    @get("/{person_id:uuid}/qualification", operation_id="checkQualification")
    async def check(
        self,
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
        item: FromQuery[str],
        at: FromQuery[datetime | None] = None,
    ) -> QualificationOut:
        """May this person do `item` (a catalogue key such as mem:02-01) at `at` (default: now)?"""
        person = await service.person_in_view(db, principal, person_id)
        ctx = service.context(db, settings, now)
        return qualification_out(await service.qualification(db, person, item, at or now, ctx.catalog))

    @get("/{person_id:uuid}/id-number", operation_id="revealIdNumber")
    async def id_number(
        self, db: Db, principal: Caller, settings: Conf, person_id: FromPath[uuid.UUID]
    ) -> IdNumberOut:
        """The full ID number: to the person themself and to HR/admin over their unit (SECURITY.md)."""
        person = await service.person_in_view(db, principal, person_id)
        if person.id != principal.person_id and not principal.has_role(HR, person.unit_path):
            raise Forbidden("只有本人、人事或管理员可查看完整身份证号", code="role_required")
        number = service.ciphers_for(settings.secret_key).id_number.decrypt(person.id_number_enc)
        return IdNumberOut(person_id=person.id, id_number=number)

    @post("/{person_id:uuid}/employment", operation_id="changeEmployment", status_code=200)
    async def employment(
        self,
        data: JSONBody[EmploymentIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> EmploymentOut:
        person = await managed(db, principal, person_id, HR)
        ctx = service.context(db, settings, now, principal.person_id)
        changed = await service.change_employment(ctx, person, data.status)
        frozen = bool(await service.open_freezes(db, person.id))
        return EmploymentOut(
            person_id=person.id, employment=person.employment, changed=changed, frozen=frozen
        )

    @post("/{person_id:uuid}/assignments", operation_id="assignItem")
    async def assign(
        self,
        data: JSONBody[AssignmentIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> RecordOut:
        person = await managed(db, principal, person_id, MANAGE)
        return await records_part.assign(
            service.context(db, settings, now, principal.person_id), person, data
        )

    @post("/{person_id:uuid}/training", operation_id="addTraining")
    async def training(
        self,
        data: JSONBody[TrainingIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> RecordOut:
        person = await managed(db, principal, person_id, MANAGE)
        return await records_part.add_training(
            service.context(db, settings, now, principal.person_id), person, data
        )

    @post("/{person_id:uuid}/assessments", operation_id="addPracticalAssessment")
    async def assessment(
        self,
        data: JSONBody[AssessmentIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> RecordOut:
        person = await managed(db, principal, person_id, MANAGE)
        return await records_part.add_assessment(
            service.context(db, settings, now, principal.person_id), person, data
        )

    @post("/{person_id:uuid}/violations", operation_id="addViolation")
    async def violation(
        self,
        data: JSONBody[ViolationIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> RecordOut:
        person = await managed(db, principal, person_id, RECORD_VIOLATIONS)
        return await records_part.add_violation(
            service.context(db, settings, now, principal.person_id), person, data
        )

    @post("/{person_id:uuid}/off-job", operation_id="addOffJobPeriod")
    async def off_job(
        self,
        data: JSONBody[OffJobIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> RecordOut:
        person = await managed(db, principal, person_id, MANAGE)
        return await records_part.add_off_job(
            service.context(db, settings, now, principal.person_id), person, data
        )


router = Router(
    path="/",
    route_handlers=[
        WorkersController,
        CertificatesController,
        QualificationsController,
        ContractorsController,
        CatalogController,
        LedgerController,
    ],
)
