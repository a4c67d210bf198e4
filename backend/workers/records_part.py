"""Records around a worker: assignments, training, practical exams, violations, off-job periods,
the worker's whole file, and contractors with their head counts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.service import item as catalog_item
from backend.core.errors import Conflict, Invalid
from backend.db.base import Syncable
from backend.people import creditcode
from backend.people.models import Contractor, Person
from backend.workers.certificates_part import Ctx, certificates_of
from backend.workers.freeze_part import open_freezes
from backend.workers.models import (
    Assignment,
    Freeze,
    OffJobPeriod,
    PracticalAssessment,
    TrainingRecord,
    Violation,
)
from backend.workers.schemas import (
    AssessmentIn,
    AssignmentIn,
    ContractorOut,
    OffJobIn,
    RecordOut,
    TrainingIn,
    ViolationIn,
    WorkerOut,
)
from backend.workers.views_part import Directory, certificate_out, freeze_out, frozen_certificates, in_scopes


def _item(ctx: Ctx, key: str | None) -> str | None:
    return catalog_item(ctx.catalog, key).key if key else None


async def _add(ctx: Ctx, row: Syncable) -> RecordOut:
    ctx.db.add(row)
    await ctx.db.flush()
    return record_out(row)


async def assign(ctx: Ctx, person: Person, data: AssignmentIn) -> RecordOut:
    key = _item(ctx, data.item_key)
    taken = await ctx.db.scalar(
        select(Assignment).where(Assignment.person_id == person.id, Assignment.item_key == key)
    )
    if taken is not None and taken.deleted_at is None:
        raise Conflict("已分配该准操项目", code="assignment_exists")
    if taken is not None:  # re-assigned after being removed
        taken.deleted_at, taken.assigned_on = None, data.assigned_on or ctx.today
        await ctx.db.flush()
        return record_out(taken)
    return await _add(
        ctx,
        Assignment(
            person_id=person.id,
            scope_path=person.unit_path,
            item_key=key,
            assigned_on=data.assigned_on or ctx.today,
        ),
    )


async def unassign(ctx: Ctx, person: Person, item_key: str) -> None:
    row = await ctx.db.scalar(
        select(Assignment).where(
            Assignment.person_id == person.id,
            Assignment.item_key == item_key,
            Assignment.deleted_at.is_(None),
        )
    )
    if row is not None:
        row.deleted_at = ctx.now


async def add_training(ctx: Ctx, person: Person, data: TrainingIn) -> RecordOut:
    if data.completed_on > ctx.today or (data.hours is not None and not 0 < data.hours <= 1000):
        raise Invalid("培训日期或学时无效", code="training_invalid")
    row = TrainingRecord(
        person_id=person.id,
        scope_path=person.unit_path,
        item_key=_item(ctx, data.item_key),
        kind=data.kind,
        hours=data.hours,
        provider=data.provider.strip(),
        completed_on=data.completed_on,
        note=data.note,
    )
    return await _add(ctx, row)


async def add_assessment(ctx: Ctx, person: Person, data: AssessmentIn) -> RecordOut:
    if data.assessed_on > ctx.today or not data.assessor.strip():
        raise Invalid("考核日期无效或缺少考评员", code="assessment_invalid")
    row = PracticalAssessment(
        person_id=person.id,
        scope_path=person.unit_path,
        item_key=_item(ctx, data.item_key),
        assessed_on=data.assessed_on,
        passed=data.passed,
        assessor=data.assessor.strip(),
        note=data.note,
    )
    return await _add(ctx, row)


async def add_violation(ctx: Ctx, person: Person, data: ViolationIn) -> RecordOut:
    if data.occurred_on > ctx.today or not data.description.strip():
        raise Invalid("违章日期无效或缺少描述", code="violation_invalid")
    row = Violation(
        person_id=person.id,
        scope_path=person.unit_path,
        certificate_id=data.certificate_id,
        occurred_on=data.occurred_on,
        severity=data.severity,
        description=data.description.strip(),
        recorded_by=ctx.actor_id,
    )
    return await _add(ctx, row)


async def add_off_job(ctx: Ctx, person: Person, data: OffJobIn) -> RecordOut:
    if data.ended_on is not None and data.ended_on < data.started_on:
        raise Invalid("离岗结束日期早于开始日期", code="dates_out_of_order")
    row = OffJobPeriod(
        person_id=person.id,
        scope_path=person.unit_path,
        item_key=_item(ctx, data.item_key),
        started_on=data.started_on,
        ended_on=data.ended_on,
        reason=data.reason,
    )
    return await _add(ctx, row)


def record_out(row: Any) -> RecordOut:
    if isinstance(row, Assignment):
        return RecordOut(
            id=row.id, kind="assignment", on=row.assigned_on, item_key=row.item_key, summary="", data={}
        )
    if isinstance(row, TrainingRecord):
        summary = f"{row.provider} {row.hours or ''}学时".strip()
        data = {"hours": row.hours, "provider": row.provider, "note": row.note}
        return RecordOut(
            id=row.id,
            kind=f"training.{row.kind}",
            on=row.completed_on,
            item_key=row.item_key,
            summary=summary,
            data=data,
        )
    if isinstance(row, PracticalAssessment):
        return RecordOut(
            id=row.id,
            kind="assessment",
            on=row.assessed_on,
            item_key=row.item_key,
            summary=("合格" if row.passed else "不合格") + f"（考评员 {row.assessor}）",
            data={"passed": row.passed, "assessor": row.assessor, "note": row.note},
        )
    if isinstance(row, Violation):
        cert = str(row.certificate_id) if row.certificate_id else None
        return RecordOut(
            id=row.id,
            kind=f"violation.{row.severity}",
            on=row.occurred_on,
            item_key=None,
            summary=row.description,
            data={"certificate_id": cert},
        )
    assert isinstance(row, OffJobPeriod)
    return RecordOut(
        id=row.id,
        kind="off_job",
        on=row.started_on,
        item_key=row.item_key,
        summary=row.reason,
        data={"ended_on": row.ended_on.isoformat() if row.ended_on else None},
    )


async def _rows(db: AsyncSession, model: Any, person_id: uuid.UUID, order: Any) -> list[RecordOut]:
    rows = await db.scalars(
        select(model).where(model.person_id == person_id, model.deleted_at.is_(None)).order_by(order.desc())
    )
    return [record_out(r) for r in rows]


async def worker_file(ctx: Ctx, person: Person) -> WorkerOut:
    """Everything about one worker's qualifications, for the worker or a manager in scope."""
    db = ctx.db
    certs = await certificates_of(db, person.id)
    frozen_certs = await frozen_certificates(db, [c.id for c in certs])
    freezes = await open_freezes(db, person.id)
    directory = await Directory.load(db)
    return WorkerOut(
        person=directory.brief(person),
        frozen=bool(freezes),
        freezes=[freeze_out(f) for f in freezes],
        certificates=[certificate_out(c, ctx.catalog, ctx.today, frozen_certs) for c in certs],
        assignments=await _rows(db, Assignment, person.id, Assignment.assigned_on),
        training=await _rows(db, TrainingRecord, person.id, TrainingRecord.completed_on),
        assessments=await _rows(db, PracticalAssessment, person.id, PracticalAssessment.assessed_on),
        violations=await _rows(db, Violation, person.id, Violation.occurred_on),
        off_job=await _rows(db, OffJobPeriod, person.id, OffJobPeriod.started_on),
    )


# ---------------------------------------------------------------- contractors


async def create_contractor(
    db: AsyncSession, enterprise_id: uuid.UUID, name: str, credit_code: str
) -> Contractor:
    """外包单位 by its 统一社会信用代码 (GB 32100, check character verified)."""
    code = credit_code.strip().upper()
    if not creditcode.is_valid(code):
        raise Invalid("统一社会信用代码无效", code="credit_code_invalid")
    if not name.strip():
        raise Invalid("单位名称不能为空", code="name_invalid")
    if await db.scalar(select(Contractor.id).where(Contractor.credit_code == code)) is not None:
        raise Conflict("该外包单位已登记", code="contractor_exists")
    row = Contractor(name=name.strip(), credit_code=code, enterprise_id=enterprise_id)
    db.add(row)
    await db.flush()
    return row


async def contractors(db: AsyncSession, scopes: list[str] | None) -> list[ContractorOut]:
    """Every contractor with how many of its people are in the caller's scope, active, frozen."""
    frozen = (
        select(Freeze.person_id)
        .where(Freeze.lifted_at.is_(None), Freeze.deleted_at.is_(None))
        .distinct()
        .subquery()
    )
    people = select(Person).where(Person.deleted_at.is_(None), Person.contractor_id.is_not(None))
    if scopes is not None:
        people = people.where(in_scopes(Person.unit_path, scopes))
    sub = people.subquery()
    counts = {
        cid: (total, active, fz)
        for cid, total, active, fz in (
            await db.execute(
                select(
                    sub.c.contractor_id,
                    func.count(),
                    func.sum(case((sub.c.employment == "active", 1), else_=0)),
                    func.count(frozen.c.person_id),
                )
                .outerjoin(frozen, frozen.c.person_id == sub.c.id)
                .group_by(sub.c.contractor_id)
            )
        ).all()
    }
    firms = (
        await db.scalars(select(Contractor).where(Contractor.deleted_at.is_(None)).order_by(Contractor.name))
    ).all()
    return [
        ContractorOut(
            id=f.id,
            name=f.name,
            credit_code=f.credit_code,
            workers=int(counts.get(f.id, (0, 0, 0))[0]),
            active=int(counts.get(f.id, (0, 0, 0))[1] or 0),
            frozen=int(counts.get(f.id, (0, 0, 0))[2]),
        )
        for f in firms
    ]
