"""Permit endpoints: thin handlers over the permit services (apply, sign, start, suspend, complete …)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.db.writelock import serialize_writes
from backend.gas import service as gas
from backend.gas.schemas import LockState
from backend.http.deps import Caller, Conf, Db, Now
from backend.permits import epermit, gaslock, lifecycle, simops
from backend.permits import service as permits
from backend.permits.catalogue import Policy, catalogue, policy
from backend.permits.grading import GradeRequest, GradeResult, grade
from backend.permits.models import Permit
from backend.permits.schemas import (
    AnalysisIn,
    CandidatesOut,
    DecisionIn,
    DecisionOptionsIn,
    DecisionOptionsOut,
    EventOut,
    NotificationOut,
    OnSiteIn,
    PermitCreate,
    PermitOut,
    PermitSummary,
    ReasonIn,
    SimopsMapOut,
    WorkTypeOut,
)
from backend.permits.store import load, slots_of, visible

PermitId = FromPath[uuid.UUID]
Action = Callable[[Permit, Policy], Awaitable[Any]]


class PermitController(Controller):
    path = "/api/permits"
    tags = ["permits"]

    @get("/work-types", operation_id="listWorkTypes", sync_to_thread=False)
    def work_types(self, principal: Caller) -> list[WorkTypeOut]:
        return [
            WorkTypeOut(
                code=t.code,
                name=t.name,
                name_en=t.name_en,
                permit_title=t.permit_title,
                grades=t.grades,
                fields=[
                    {"key": f.key, "label": f.label, "type": f.type, "required": f.required} for f in t.fields
                ],
                measures=t.measures,
                source=t.source,
            )
            for t in catalogue().types
        ]

    @post("/grade", operation_id="gradePermit", status_code=200, sync_to_thread=False)
    def grade(self, data: JSONBody[GradeRequest], principal: Caller, settings: Conf) -> GradeResult:
        return grade(data, policy(settings.data_dir))

    @get("/candidates", operation_id="permitCandidates")
    async def candidates(
        self, db: Db, principal: Caller, settings: Conf, area_id: FromQuery[uuid.UUID]
    ) -> CandidatesOut:
        return await permits.candidates(db, principal, area_id, policy(settings.data_dir))

    @get("/", operation_id="listPermits")
    async def list_permits(
        self,
        db: Db,
        principal: Caller,
        mine: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[PermitSummary]:
        return await permits.listing(db, principal, mine, status, limit)

    @post("/", operation_id="createPermit")
    async def create(
        self, data: JSONBody[PermitCreate], db: Db, principal: Caller, settings: Conf, now: Now
    ) -> PermitOut:
        await serialize_writes(db)
        pol = policy(settings.data_dir)
        permit = await permits.create(db, principal, data, now, pol)
        return await self._out(db, principal, permit, now, pol)

    async def _act(
        self, db: Db, who: Caller, settings: Conf, now: Now, permit_id: uuid.UUID, action: Action
    ) -> PermitOut:
        """Every permit action has this shape: queue for the write lock (SQLite), load the permit
        locked, let the service act, answer the permit as it is now. The service checks the
        caller's rights for the action, so the answer needs no second visibility check."""
        await serialize_writes(db)
        permit = await load(db, permit_id, lock=True)
        pol = policy(settings.data_dir)
        await action(permit, pol)
        return await self._out(db, who, permit, now, pol)

    async def _out(self, db: Db, who: Caller, permit: Permit, now: Now, pol: Policy) -> PermitOut:
        return await permits.to_out(db, who, permit, await slots_of(db, permit), now, pol)

    @get("/{permit_id:uuid}", operation_id="getPermit")
    async def read(
        self, db: Db, principal: Caller, settings: Conf, now: Now, permit_id: PermitId
    ) -> PermitOut:
        permit, slots = await visible(db, principal, permit_id)
        out = await permits.to_out(db, principal, permit, slots, now, policy(settings.data_dir))
        if permits.unopened(principal, slots):
            # the one write of a read, last: the write lock is held for the UPDATE and the commit only
            await serialize_writes(db)
            await permits.mark_opened(db, principal, slots, now)
        return out

    @post("/{permit_id:uuid}/submit", operation_id="submitPermit", status_code=200)
    async def submit(
        self, db: Db, principal: Caller, settings: Conf, now: Now, permit_id: PermitId
    ) -> PermitOut:
        return await self._act(
            db, principal, settings, now, permit_id, lambda p, pol: permits.submit(db, principal, p, now, pol)
        )

    @post("/{permit_id:uuid}/decisions/options", operation_id="decisionOptions", status_code=200)
    async def decision_options(
        self,
        data: JSONBody[DecisionOptionsIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        permit_id: PermitId,
    ) -> DecisionOptionsOut:
        permit, _slots = await visible(db, principal, permit_id)
        return await lifecycle.decision_options(db, settings, principal, permit, data)

    @post("/{permit_id:uuid}/decisions", operation_id="decidePermit", status_code=200)
    async def decide(
        self,
        data: JSONBody[DecisionIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        # Who may work is asked before queueing for the write lock: the people of a submitted
        # permit never change (§4.16), and the lock is then held only for the decision itself.
        people = None
        if data.decision == "approve":
            people = await permits.people_refusals(db, await load(db, permit_id), now)
        return await self._act(
            db,
            principal,
            settings,
            now,
            permit_id,
            lambda p, pol: lifecycle.decide(db, settings, principal, p, data, now, pol, people=people),
        )

    @post("/{permit_id:uuid}/start", operation_id="startPermit", status_code=200)
    async def start(
        self,
        data: JSONBody[OnSiteIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        return await self._act(
            db,
            principal,
            settings,
            now,
            permit_id,
            lambda p, pol: lifecycle.start(db, principal, p, data.location, now, pol),
        )

    @post("/{permit_id:uuid}/suspend", operation_id="suspendPermit", status_code=200)
    async def suspend(
        self,
        data: JSONBody[ReasonIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        return await self._act(
            db,
            principal,
            settings,
            now,
            permit_id,
            lambda p, pol: lifecycle.suspend(db, principal, p, data.reason, now, pol),
        )

    @post("/{permit_id:uuid}/resume", operation_id="resumePermit", status_code=200)
    async def resume(
        self,
        data: JSONBody[OnSiteIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        return await self._act(
            db,
            principal,
            settings,
            now,
            permit_id,
            lambda p, pol: lifecycle.resume(db, principal, p, data.location, now, pol),
        )

    @post("/{permit_id:uuid}/complete", operation_id="completePermit", status_code=200)
    async def complete(
        self,
        data: JSONBody[OnSiteIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        return await self._act(
            db,
            principal,
            settings,
            now,
            permit_id,
            lambda p, pol: lifecycle.complete(db, principal, p, data.comment, now, pol),
        )

    @post("/{permit_id:uuid}/close", operation_id="closePermit", status_code=200)
    async def close(
        self, db: Db, principal: Caller, settings: Conf, now: Now, permit_id: PermitId
    ) -> PermitOut:
        return await self._act(
            db,
            principal,
            settings,
            now,
            permit_id,
            lambda p, pol: lifecycle.close(db, principal, p, now, pol),
        )

    @post("/{permit_id:uuid}/cancel", operation_id="cancelPermit", status_code=200)
    async def cancel(
        self,
        data: JSONBody[ReasonIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        return await self._act(
            db,
            principal,
            settings,
            now,
            permit_id,
            lambda p, pol: lifecycle.cancel(db, principal, p, data.reason, now, pol),
        )

    @post("/{permit_id:uuid}/reissue", operation_id="reissuePermit")
    async def reissue(
        self,
        data: JSONBody[PermitCreate],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        await serialize_writes(db)
        old = await load(db, permit_id, lock=True)
        pol = policy(settings.data_dir)
        new = await permits.reissue(db, principal, old, data, now, pol)
        return await self._out(db, principal, new, now, pol)

    @post("/{permit_id:uuid}/gas-analyses", operation_id="recordGasAnalysis")
    async def analysis(
        self,
        data: JSONBody[AnalysisIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        permit_id: PermitId,
    ) -> PermitOut:
        async def record(permit: Permit, pol: Policy) -> None:
            await visible(db, principal, permit.id)
            await gaslock.record_analysis(db, principal, permit, data, now, pol)

        return await self._act(db, principal, settings, now, permit_id, record)

    @get("/{permit_id:uuid}/gas", operation_id="permitGasLock")
    async def gas_lock(
        self, db: Db, principal: Caller, settings: Conf, now: Now, permit_id: PermitId
    ) -> LockState:
        permit, _slots = await visible(db, principal, permit_id)
        return await gas.lock_state(db, permit.area_id, now, policy(settings.data_dir).gas)

    @get("/{permit_id:uuid}/history", operation_id="permitHistory")
    async def history(self, db: Db, principal: Caller, permit_id: PermitId) -> list[EventOut]:
        permit, _slots = await visible(db, principal, permit_id)
        return await permits.history(db, permit)

    @get("/{permit_id:uuid}/epermit", operation_id="getEPermit")
    async def epermit(self, db: Db, principal: Caller, settings: Conf, permit_id: PermitId) -> dict[str, Any]:
        permit, _slots = await visible(db, principal, permit_id)
        return await epermit.build(db, permit, policy(settings.data_dir))

    @get("/{permit_id:uuid}/pdf", operation_id="permitPdf", media_type="application/pdf")
    async def pdf(
        self, db: Db, principal: Caller, settings: Conf, now: Now, permit_id: PermitId
    ) -> Response[bytes]:
        from backend.permits import pdf

        permit, slots = await visible(db, principal, permit_id)
        view = await permits.to_out(
            db, principal, permit, slots, now, policy(settings.data_dir), with_gas=False
        )
        body = pdf.render(view, f"{settings.base_url}/#/permits/{permit.id}")
        disposition = f'inline; filename="{permit.number}.pdf"'
        return Response(body, media_type="application/pdf", headers={"content-disposition": disposition})

    @get("/map", operation_id="simopsMap")
    async def simops_map(
        self, db: Db, principal: Caller, settings: Conf, site_id: FromQuery[uuid.UUID]
    ) -> SimopsMapOut:
        return await simops.site_map(db, principal, site_id, policy(settings.data_dir))

    @get("/notifications", operation_id="myNotifications")
    async def notifications(
        self,
        db: Db,
        principal: Caller,
        unread: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[NotificationOut]:
        return await permits.notifications(db, principal, unread, limit)

    @post("/notifications/{notification_id:uuid}/read", operation_id="readNotification", status_code=200)
    async def read_notification(
        self, db: Db, principal: Caller, now: Now, notification_id: FromPath[uuid.UUID]
    ) -> dict[str, bool]:
        await permits.mark_read(db, principal, notification_id, now)
        return {"ok": True}
