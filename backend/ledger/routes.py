"""Ledger endpoints: upload an .xlsx for a background import and poll it; export the ledger."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy import select

from backend.audit import service as audit
from backend.catalog.service import catalog_for, local_date
from backend.core.errors import Forbidden, NotFound
from backend.db.engine import transaction
from backend.http.deps import Caller, Conf, Db, Now
from backend.http.files import XLSX_TYPE, attachment
from backend.ledger import background
from backend.ledger.export_part import export_xlsx
from backend.ledger.models import LedgerImport
from backend.ledger.reader import check_xlsx
from backend.ledger.schemas import ImportOut, ProgressOut
from backend.org.models import OrgUnit
from backend.workers.guards_part import HR, MANAGE, ledger_scopes
from backend.workers.numbers_part import ciphers_for
from backend.workers.schemas import Status
from backend.workers.views_part import LedgerFilter

UPLOAD_MAX_BYTES = 20 * 1024 * 1024


def import_out(settings: Any, row: LedgerImport) -> ImportOut:
    progress = background.read_progress(settings, row.id)
    status = "interrupted" if background.stale(settings, row) else row.status
    return ImportOut(
        id=row.id,
        filename=row.filename,
        size=row.size,
        status=status,
        strict=row.strict,
        unit_code=row.unit_code,
        created_at=row.created_at.isoformat(),
        started_at=row.started_at.isoformat() if row.started_at else None,
        finished_at=row.finished_at.isoformat() if row.finished_at else None,
        progress=ProgressOut(
            phase=progress["phase"],
            done=int(progress["done"]),
            total=int(progress["total"]),
            percent=int(100 * progress["done"] / progress["total"]) if progress["total"] else 0,
        )
        if progress
        else None,
        summary=row.summary,
        report=row.report,
        error=row.error,
    )


class LedgerController(Controller):
    path = "/api/ledger"
    tags = ["ledger"]

    @post("/imports", operation_id="uploadLedger", status_code=202, request_max_body_size=UPLOAD_MAX_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        strict: FromQuery[bool] = False,
        unit: FromQuery[str | None] = None,
        filename: FromQuery[str] = "ledger.xlsx",
    ) -> ImportOut:
        """The workbook as the request body (≤ 20 MiB); answers at once, the import runs behind."""
        scopes = [g.scope_path for g in principal.grants if g.role in MANAGE]
        if not scopes:
            raise Forbidden("只有人事、安全员或管理员可以导入台账", code="role_required")
        if unit:
            target = await db.scalar(select(OrgUnit).where(OrgUnit.code == unit))
            if target is None:
                raise NotFound(f"单位 {unit} 不存在", code="unit_unknown")
            principal.require(MANAGE, target.path)
        body = await request.body()
        check_xlsx(body)
        import_id = uuid.uuid4()
        path = background.upload_path(settings, import_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        row = LedgerImport(
            id=import_id,
            created_by=principal.person_id,
            filename=filename[:200],
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            strict=strict,
            unit_code=unit,
            status="queued",
            summary={},
            report={},
            created_at=now,
            updated_at=now,
        )
        # Committed on its own, before the task starts, so the task and the poller both see it.
        async with transaction(state.sessionmaker) as own:
            own.add(row)
            await audit.record(
                own,
                now,
                action="ledger.upload",
                entity="ledger_import",
                entity_id=import_id,
                actor_id=principal.person_id,
                details={"file": row.filename, "size": row.size, "sha256": row.sha256, "strict": strict},
            )
        background.start(state.sessionmaker, settings, import_id, state.clock, scopes)
        return import_out(settings, row)

    @get("/imports/{import_id:uuid}", operation_id="getLedgerImport")
    async def status(
        self, db: Db, principal: Caller, settings: Conf, import_id: FromPath[uuid.UUID]
    ) -> ImportOut:
        row = await db.get(LedgerImport, import_id)
        if row is None or (row.created_by != principal.person_id and not principal.has_role(("admin",))):
            raise NotFound("导入记录不存在", code="import_unknown")
        return import_out(settings, row)

    @get("/imports", operation_id="listLedgerImports")
    async def recent(self, db: Db, principal: Caller, settings: Conf) -> list[ImportOut]:
        rows = await db.scalars(
            select(LedgerImport)
            .where(LedgerImport.created_by == principal.person_id)
            .order_by(LedgerImport.created_at.desc())
            .limit(20)
        )
        return [import_out(settings, r) for r in rows]

    @get("/export.xlsx", operation_id="exportLedger", media_type=XLSX_TYPE)
    async def export(
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
    ) -> Response[bytes]:
        """The ledger in the caller's scope; full ID numbers only where the caller is HR/admin."""
        scopes = ledger_scopes(principal)
        if not scopes:
            raise Forbidden("无权导出台账", code="role_required")
        catalog = catalog_for(settings)
        filters = LedgerFilter(
            statuses=tuple(status or ()),
            family=family,
            item_key=item,
            unit_path=unit_path,
            contractor_id=contractor_id,
            expiring_within=expiring_within,
            employment=None,
        )
        enterprise = await db.scalar(select(OrgUnit.name).where(OrgUnit.kind == "enterprise"))
        data, _ = await export_xlsx(
            db,
            catalog,
            ciphers_for(settings.secret_key),
            filters,
            scopes,
            local_date(now, catalog.policy),
            lambda person: principal.has_role(HR, person.unit_path),
            enterprise or "",
        )
        name = f"tezuo-ledger-{local_date(now, catalog.policy):%Y%m%d}.xlsx"
        return attachment(data, XLSX_TYPE, name)
