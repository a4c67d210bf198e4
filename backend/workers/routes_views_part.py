"""Manager views: the ledger with filters, shadow operators, frozen people, contractors, the scan."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody, QueryParameter
from sqlalchemy import select

from backend.catalog.service import catalog_for, local_date
from backend.http.deps import Caller, Conf, Db, Now
from backend.people.models import Person
from backend.workers import records_part, service
from backend.workers.guards_part import HR, ledger_scopes
from backend.workers.models import Freeze
from backend.workers.schemas import (
    ContractorCreate,
    ContractorOut,
    FrozenOut,
    LedgerPage,
    ShadowOut,
    Status,
)
from backend.workers.views_part import Directory, LedgerFilter, freeze_out, in_scopes, ledger_page


class QualificationsController(Controller):
    path = "/api/qualifications"
    tags = ["qualifications"]

    @get("/ledger", operation_id="listLedger")
    async def ledger(
        self,
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        status: FromQuery[list[Status] | None] = None,
        family: FromQuery[str | None] = None,
        item: FromQuery[str | None] = None,
        unit_path: FromQuery[str | None] = None,
        contractor_id: FromQuery[uuid.UUID | None] = None,
        expiring_within: Annotated[int | None, QueryParameter(ge=0, le=3650)] = None,
        q: FromQuery[str | None] = None,
        employment: FromQuery[str | None] = "active",
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> LedgerPage:
        """台账: certificates in the caller's scope, soonest deadline first."""
        catalog = catalog_for(settings)
        filters = LedgerFilter(
            statuses=tuple(status or ()),
            family=family,
            item_key=item,
            unit_path=unit_path,
            contractor_id=contractor_id,
            expiring_within=expiring_within,
            q=q,
            employment=employment or None,
        )
        today = local_date(now, catalog.policy)
        return await ledger_page(db, catalog, filters, ledger_scopes(principal), today, offset, limit)

    @get("/shadow", operation_id="listShadowOperators")
    async def shadow(self, db: Db, principal: Caller, settings: Conf, now: Now) -> list[ShadowOut]:
        """影子操作工 in the caller's scope."""
        catalog = catalog_for(settings)
        today = local_date(now, catalog.policy)
        rows = await service.shadow_operators(db, catalog, ledger_scopes(principal))
        people = {
            p.id: p
            for p in await db.scalars(select(Person).where(Person.id.in_({r.person_id for r in rows})))
        }
        directory = await Directory.load(db)
        return [
            ShadowOut(
                person=directory.brief(people[r.person_id]),
                item_key=r.item_key,
                item_name=catalog.items[r.item_key].name if r.item_key in catalog.items else r.item_key,
                reason=r.reason,
                certificate_id=r.certificate_id,
                deadline_on=r.deadline_on,
                days_lapsed=(today - r.deadline_on).days if r.deadline_on else None,
            )
            for r in rows
        ]

    @get("/frozen", operation_id="listFrozen")
    async def frozen(self, db: Db, principal: Caller) -> list[FrozenOut]:
        """People with an open freeze in the caller's scope (the inspector's offline freeze list)."""
        rows = (
            await db.execute(
                select(Freeze, Person)
                .join(Person, Person.id == Freeze.person_id)
                .where(Freeze.lifted_at.is_(None), Freeze.deleted_at.is_(None))
                .where(in_scopes(Freeze.scope_path, ledger_scopes(principal)))
                .order_by(Person.name, Freeze.frozen_at)
            )
        ).all()
        directory = await Directory.load(db)
        grouped: dict[uuid.UUID, FrozenOut] = {}
        for f, p in rows:
            grouped.setdefault(p.id, FrozenOut(person=directory.brief(p), freezes=[])).freezes.append(
                freeze_out(f)
            )
        return list(grouped.values())

    @post("/scan", operation_id="runDailyScan", status_code=200)
    async def scan(self, db: Db, principal: Caller, settings: Conf, now: Now) -> dict[str, object]:
        """Run the daily status + warning scan now (admin); the scheduler runs it every night."""
        principal.require(("admin",))
        result = await service.daily_scan(db, catalog_for(settings), now)
        return {
            "day": result.day.isoformat(),
            "status_changes": result.status_changes,
            "timers_armed": result.timers_armed,
            "by_status": result.by_status,
        }


class ContractorsController(Controller):
    path = "/api/contractors"
    tags = ["qualifications"]

    @get("/", operation_id="listContractors")
    async def list_all(self, db: Db, principal: Caller) -> list[ContractorOut]:
        return await records_part.contractors(db, ledger_scopes(principal))

    @post("/", operation_id="addContractor")
    async def add(self, data: JSONBody[ContractorCreate], db: Db, principal: Caller) -> ContractorOut:
        """外包单位 of the caller's enterprise (admin/HR)."""
        enterprise = "/" + principal.unit_path.strip("/").split("/")[0] + "/"
        principal.require(HR, enterprise)
        from backend.org.models import OrgUnit

        ent = await db.scalar(select(OrgUnit).where(OrgUnit.path == enterprise))
        assert ent is not None
        firm = await records_part.create_contractor(db, ent.id, data.name, data.credit_code)
        return ContractorOut(
            id=firm.id, name=firm.name, credit_code=firm.credit_code, workers=0, active=0, frozen=0
        )
