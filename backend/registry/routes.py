"""Registry check endpoints: the last run, findings (acknowledge / resolve), a person's
verification history, and the xlsx export. Handlers are thin: check the role, call the service."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.catalog.service import catalog_for, local_date
from backend.core.errors import Invalid
from backend.http.deps import Caller, Conf, Db, Now
from backend.http.files import XLSX_TYPE, attachment
from backend.people.models import Person
from backend.registry import service
from backend.registry.export_part import export_xlsx
from backend.registry.models import FINDING_STATUSES, RegistryRun
from backend.registry.schemas import (
    CheckOut,
    FindingNote,
    FindingOut,
    FindingsOut,
    HistoryOut,
    LastRunOut,
    RunOut,
)
from backend.workers.models import Certificate
from backend.workers.service import person_in_view

# Who sees runs and findings: the safety department, HR (who fixes the ledger) and admins.
VIEWERS = ("safety_officer", "admin", "hr")


def run_out(run: RegistryRun) -> RunOut:
    return RunOut(**{f: getattr(run, f) for f in RunOut.__struct_fields__})


class RegistryController(Controller):
    path = "/api/registry"
    tags = ["registry"]

    @get("/runs/last", operation_id="getLastRegistryRun")
    async def last(self, db: Db, principal: Caller, settings: Conf) -> LastRunOut:
        principal.require(VIEWERS)
        run = await service.last_run(db)
        outcomes = await service.outcome_counts(db, run.id, principal) if run else {}
        return LastRunOut(
            run=run_out(run) if run else None, configured=bool(settings.registry_url), outcomes=outcomes
        )

    @get("/findings", operation_id="listRegistryFindings")
    async def findings(self, db: Db, principal: Caller, status: FromQuery[str | None] = None) -> FindingsOut:
        principal.require(VIEWERS)
        if status is not None and status not in FINDING_STATUSES:
            raise Invalid(f"status must be one of {', '.join(FINDING_STATUSES)}", code="status_unknown")
        items = await service.findings_view(db, principal, status)
        return FindingsOut(items=items, counts=await service.counts_by_status(db, principal))

    @post(
        "/findings/{finding_id:uuid}/acknowledge", operation_id="acknowledgeRegistryFinding", status_code=200
    )
    async def acknowledge(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[FindingNote],
    ) -> FindingOut:
        f = await service.acknowledge(db, principal, finding_id, now, data.note)
        return await _out(db, f)

    @post("/findings/{finding_id:uuid}/resolve", operation_id="resolveRegistryFinding", status_code=200)
    async def resolve(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[FindingNote],
    ) -> FindingOut:
        f = await service.resolve(db, principal, finding_id, now, data.note)
        return await _out(db, f)

    @get("/people/{person_id:uuid}/history", operation_id="getRegistryHistory")
    async def history(self, db: Db, principal: Caller, person_id: FromPath[uuid.UUID]) -> HistoryOut:
        person = await person_in_view(db, principal, person_id)
        checks = [
            CheckOut(**{f: getattr(c, f) for f in CheckOut.__struct_fields__})
            for c in await service.history(db, person.id)
        ]
        return HistoryOut(person_id=person.id, person_name=person.name, checks=checks)

    @get("/export.xlsx", operation_id="exportRegistryCheck", media_type=XLSX_TYPE)
    async def export(self, db: Db, principal: Caller, settings: Conf, now: Now) -> Response[bytes]:
        principal.require(VIEWERS)
        data = await export_xlsx(db, principal, await service.last_run(db))
        name = f"tezuo-registry-{local_date(now, catalog_for(settings).policy):%Y%m%d}.xlsx"
        return attachment(data, XLSX_TYPE, name)


async def _out(db: Db, f: service.RegistryFinding) -> FindingOut:
    person = await db.get(Person, f.person_id)
    cert = await db.get(Certificate, f.certificate_id)
    assert person is not None and cert is not None
    await db.flush()
    return service.finding_out(f, person.name, cert.item_key, cert.number_masked)


__all__ = ["RegistryController"]
