"""Permit requests: draft, submit (grade, qualifications, SIMOPS, approval path), reissue, and reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.gas import service as gas
from backend.org.models import Area, OrgUnit
from backend.people.models import Person, RoleAssignment
from backend.permits import approvals, events, simops
from backend.permits.catalogue import Policy, WorkType, catalogue
from backend.permits.geo import centroid
from backend.permits.grading import GradeRequest, GradeResult, grade
from backend.permits.models import LIVE, ApprovalSlot, GasAnalysis, Notification, Permit, PermitEvent
from backend.permits.qualifications import Refusal, qualifications
from backend.permits.schemas import (
    AnalysisOut,
    AreaRef,
    CandidateOut,
    CandidatesOut,
    EventOut,
    NotificationOut,
    PermitCreate,
    PermitOut,
    PermitSummary,
    PersonRef,
    SlotOut,
)
from backend.permits.store import acts_for, area_of, involved


def work_type(code: str) -> WorkType:
    wt = catalogue().get(code)
    if wt is None:
        raise Invalid(f"未知作业类型 {code}", code="work_type_unknown")
    return wt


def grade_permit(permit: Permit, area: Area, pol: Policy) -> GradeResult:
    """The explained grade of a permit from its stated facts and its area's hazard class."""
    facts = {k: v for k, v in permit.facts.items() if v is not None}
    request = msgspec.convert(
        {
            **facts,
            "work_type": permit.work_type,
            "hazard_class": area.hazard_class,
            "start": permit.planned_start.isoformat(),
            "end": permit.planned_end.isoformat(),
        },
        GradeRequest,
    )
    return grade(request, pol)


async def _number(db: AsyncSession, wt: WorkType, start: datetime, pol: Policy) -> str:
    """DH-20261130-0001: type prefix, local date of the planned start, serial of the day."""
    day = start.astimezone(timezone(timedelta(hours=pol.time.utc_offset_hours))).strftime("%Y%m%d")
    prefix = f"{wt.number_prefix}-{day}-"
    count = await db.scalar(select(func.count()).select_from(Permit).where(Permit.number.startswith(prefix)))
    return f"{prefix}{(count or 0) + 1:04d}"


async def scope_of(db: AsyncSession, area: Area) -> str:
    """The permit's scope: the area's workshop (whose approvers sign), else its site."""
    unit = await db.get(OrgUnit, area.workshop_id or area.site_id)
    assert unit is not None
    return unit.path


async def _people(db: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, Person]:
    if not ids:
        return {}
    rows = await db.scalars(select(Person).where(Person.id.in_(set(ids))))
    return {p.id: p for p in rows}


async def create(db: AsyncSession, who: Principal, data: PermitCreate, now: datetime, pol: Policy) -> Permit:
    """A draft permit (submitted at once when `data.submit`)."""
    wt = work_type(data.work_type)
    area = await db.get(Area, data.area_id)
    if area is None or area.deleted_at is not None:
        raise NotFound("作业区域不存在", code="area_unknown")
    scope = await scope_of(db, area)
    if not acts_for(who, pol.approval.applicant_roles, scope):
        raise Forbidden("只有该区域的班组长等人员可以申请作业票", code="role_required")
    if data.planned_end <= data.planned_start:
        raise Invalid("结束时间须晚于开始时间", code="times_invalid")
    if data.planned_end <= now:
        raise Invalid("计划时间已过", code="times_in_past")
    people = await _people(db, [*data.operator_ids, *([data.guardian_id] if data.guardian_id else [])])
    missing = [str(p) for p in [*data.operator_ids, data.guardian_id] if p and p not in people]
    if missing:
        raise NotFound(f"人员不存在: {', '.join(missing)}", code="person_unknown")
    permit = Permit(
        number=await _number(db, wt, data.planned_start, pol),
        work_type=wt.code,
        grade="none",
        status="draft",
        site_id=area.site_id,
        workshop_id=area.workshop_id,
        area_id=area.id,
        scope_path=scope,
        applicant_id=who.person_id,
        guardian_id=data.guardian_id,
        operator_ids=[str(o) for o in data.operator_ids],
        work_point=list(data.work_point) if data.work_point else list(centroid(area.plan_polygon)),
        content=data.content.strip(),
        form=dict(data.form),
        facts=msgspec.to_builtins(data.facts),
        measures=[{"text": m, "baseline": True} for m in wt.measures]
        + [{"text": m, "baseline": False} for m in data.extra_measures],
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        valid_until=data.planned_end,
    )
    result = grade_permit(permit, area, pol)
    _apply_grade(permit, result)
    db.add(permit)
    await db.flush()
    await events.record(db, permit, "created", f"申请作业票（{result.grade_label}）", now, who.person_id)
    if data.submit:
        await submit(db, who, permit, now, pol)
    return permit


def _apply_grade(permit: Permit, result: GradeResult) -> None:
    permit.grade = result.grade
    permit.grading = msgspec.to_builtins(result)
    longest = permit.planned_start + timedelta(hours=result.validity_hours)
    if permit.planned_end > longest:
        raise Invalid(
            f"{result.work_type_name}（{result.grade_label}）作业票有效期最长 {result.validity_hours} h，"
            f"计划时间超出；超期须重新办理（§4.16）",
            code="validity_exceeded",
            extra={"validity_hours": result.validity_hours},
        )
    permit.valid_until = permit.planned_end


async def check_people(
    db: AsyncSession, permit: Permit, at: datetime, stage: str, asked: list[Refusal] | None = None
) -> None:
    """Every operator and the guardian through the qualifications service; refusals block with reasons.

    `asked`: the answers of `people_refusals`, asked moments earlier (before queueing for the
    write lock, so the lock is not held while the qualifications service reads)."""
    refusals = asked if asked is not None else await people_refusals(db, permit, at)
    if refusals:
        raise Conflict(
            "；".join(r.reason for r in refusals),
            code="worker_not_qualified",
            extra={"stage": stage, "refusals": msgspec.to_builtins(refusals)},
        )


async def people_refusals(db: AsyncSession, permit: Permit, at: datetime) -> list[Refusal]:
    """Why any operator or the guardian may not do this work at `at` (empty: all may)."""
    wt = work_type(permit.work_type)
    operator_items = [f"{c.family}:{c.item}" for c in wt.certificates.get("operator", [])]
    asks: list[tuple[uuid.UUID, Sequence[str]]] = [
        (uuid.UUID(str(pid)), operator_items) for pid in permit.operator_ids
    ]
    if permit.guardian_id:
        asks.append(
            (permit.guardian_id, [f"{c.family}:{c.item}" for c in wt.certificates.get("guardian", [])])
        )
    return await qualifications().check_many(db, asks, at) if asks else []


def _check_form(permit: Permit, wt: WorkType) -> None:
    missing = [
        f.label for f in wt.fields if f.required and f.key != "work_content" and not permit.form.get(f.key)
    ]
    if missing:
        raise Invalid(
            f"作业票缺少必填项: {'、'.join(missing)}", code="form_incomplete", extra={"missing": missing}
        )
    if wt.guardian_required and permit.guardian_id is None:
        raise Invalid("须指定监护人（§4.10）", code="guardian_required")
    if not permit.operator_ids:
        raise Invalid("须填写作业人", code="operators_required")
    if permit.guardian_id and str(permit.guardian_id) in permit.operator_ids:
        raise Invalid("监护人不得同时作为作业人（§4.10 f）", code="guardian_is_operator")


async def submit(db: AsyncSession, who: Principal, permit: Permit, now: datetime, pol: Policy) -> None:
    """Grade again, check people and SIMOPS, then open the first approval stage."""
    if permit.status != "draft":
        raise Conflict(f"作业票状态为 {permit.status}，不能提交", code="not_a_draft")
    if who.person_id != permit.applicant_id:
        raise Forbidden("只有申请人可以提交", code="not_applicant")
    wt = work_type(permit.work_type)
    area = await area_of(db, permit)
    result = grade_permit(permit, area, pol)
    _apply_grade(permit, result)
    if result.blockers:
        raise Conflict(
            "；".join(f"{b.text}（{b.clause}）" for b in result.blockers),
            code="grading_blocked",
            extra={"blockers": msgspec.to_builtins(result.blockers)},
        )
    _check_form(permit, wt)
    await check_people(db, permit, now, "submit")
    found = await simops.conflicts(db, permit, pol)
    blocks = [c for c in found if c.action == "block"]
    if blocks:
        raise Conflict(
            "；".join(
                f"与 {c.other_number} 冲突: {c.text}（{c.clause}，相距 {c.distance_m:.0f} m）" for c in blocks
            ),
            code="simops_conflict",
            extra={"conflicts": msgspec.to_builtins(blocks)},
        )
    permit.simops = msgspec.to_builtins(found)
    slots = [
        ApprovalSlot(
            permit_id=permit.id,
            stage=step.stage,
            key=step.key,
            role=step.role,
            on_site=step.on_site,
            gas_lock=step.gas_lock,
            status="waiting",
            assignee_id=None,
            scope_path=permit.scope_path,
        )
        for step in result.approval_steps
    ]
    db.add_all(slots)
    await db.flush()
    permit.status = "submitted"
    permit.submitted_at = now
    permit.current_stage = 1
    for slot in slots:
        if slot.stage == 1:
            await approvals.open_slot(db, permit, slot, permit.scope_path, now, pol)
    warn = f"；交叉作业提示 {len(found)} 项" if found else ""
    await events.record(
        db,
        permit,
        "submitted",
        f"提交审批：{result.grade_label}，{len(slots)} 个签字{warn}",
        now,
        who.person_id,
    )


async def reissue(
    db: AsyncSession, who: Principal, old: Permit, data: PermitCreate, now: datetime, pol: Policy
) -> Permit:
    """§4.16: a change of content, scope, place or time needs a new permit; the old one is cancelled."""
    if old.status not in (*LIVE, "draft"):
        raise Conflict(f"作业票已{old.status}，不能变更", code="permit_closed")
    from backend.permits.lifecycle import cancel

    await cancel(db, who, old, "作业内容/范围变更，按§4.16重新办理作业票", now, pol, allow_applicant=True)
    new = await create(db, who, data, now, pol)
    new.supersedes_id = old.id
    await events.record(db, new, "reissued", f"由 {old.number} 变更重新办理（§4.16）", now, who.person_id)
    return new


def _ref(person: Person | None) -> PersonRef | None:
    return PersonRef(id=person.id, name=person.name, phone=person.phone) if person else None


def open_steps(who: Principal, permit: Permit, slots: list[ApprovalSlot]) -> list[str]:
    if permit.status not in ("submitted", "approving"):
        return []
    return [s.key for s in slots if s.status == "pending" and who.person_id in approvals.signers(s)]


async def to_out(
    db: AsyncSession,
    who: Principal,
    permit: Permit,
    slots: list[ApprovalSlot],
    now: datetime,
    pol: Policy,
    *,
    with_gas: bool = True,
) -> PermitOut:
    wt = work_type(permit.work_type)
    area = await area_of(db, permit)
    ids = [permit.applicant_id, *(uuid.UUID(str(o)) for o in permit.operator_ids)]
    ids += [p for p in (permit.guardian_id,) if p]
    for s in slots:
        ids += [p for p in (s.assignee_id, s.handed_to_id, s.escalated_to_id, s.decided_by) if p]
    analyses = list(
        await db.scalars(
            select(GasAnalysis).where(GasAnalysis.permit_id == permit.id).order_by(GasAnalysis.sampled_at)
        )
    )
    ids += [a.analyst_id for a in analyses]
    people = await _people(db, ids)
    applicant = _ref(people.get(permit.applicant_id))
    assert applicant is not None
    lock = None
    if with_gas and (any(s.gas_lock for s in slots) or pol.continuous(permit.work_type, permit.grade)):
        lock = await gas.lock_state(db, permit.area_id, now, pol.gas)
    return PermitOut(
        id=permit.id,
        number=permit.number,
        title=wt.permit_title,
        work_type=permit.work_type,
        work_type_name=wt.name,
        grade=permit.grade,
        grade_label=catalogue().label(permit.grade),
        status=permit.status,
        status_reason=permit.status_reason,
        area=AreaRef(id=area.id, code=area.code, name=area.name, hazard_class=area.hazard_class),
        site_id=permit.site_id,
        applicant=applicant,
        guardian=_ref(people.get(permit.guardian_id)) if permit.guardian_id else None,
        operators=[r for o in permit.operator_ids if (r := _ref(people.get(uuid.UUID(str(o))))) is not None],
        content=permit.content,
        form=permit.form,
        facts=permit.facts,
        measures=permit.measures,
        grading=permit.grading,
        simops=permit.simops,
        work_point=permit.work_point,
        planned_start=permit.planned_start,
        planned_end=permit.planned_end,
        valid_until=permit.valid_until,
        submitted_at=permit.submitted_at,
        approved_at=permit.approved_at,
        started_at=permit.started_at,
        completed_at=permit.completed_at,
        version=permit.version,
        revision=permit.revision,
        content_sha256=approvals.content_sha256(permit),
        slots=[
            SlotOut(
                key=s.key,
                stage=s.stage,
                role=s.role,
                status=s.status,
                on_site=s.on_site,
                gas_lock=s.gas_lock,
                assignee=_ref(people.get(s.assignee_id)) if s.assignee_id else None,
                handed_to=_ref(people.get(s.handed_to_id)) if s.handed_to_id else None,
                escalated_to=_ref(people.get(s.escalated_to_id)) if s.escalated_to_id else None,
                decided_by=_ref(people.get(s.decided_by)) if s.decided_by else None,
                decided_at=s.decided_at,
                pending_since=s.pending_since,
                comment=s.comment,
                mine=who.person_id in approvals.signers(s),
            )
            for s in slots
        ],
        my_steps=open_steps(who, permit, slots),
        gas=lock,
        analyses=[
            AnalysisOut(
                id=a.id,
                sampled_at=a.sampled_at,
                point=a.point,
                gas=a.gas,
                result=a.result,
                unit=a.unit,
                passed=a.passed,
                verdict=a.verdict,
                analyst=_ref(people.get(a.analyst_id)),
            )
            for a in analyses
        ],
    )


def unopened(who: Principal, slots: list[ApprovalSlot]) -> list[ApprovalSlot]:
    """The caller's pending steps they have not looked at yet."""
    mine = [s for s in slots if s.status == "pending" and s.assignee_id == who.person_id]
    return [s for s in mine if s.opened_at is None]


async def mark_opened(db: AsyncSession, who: Principal, slots: list[ApprovalSlot], now: datetime) -> None:
    """The assignee looked at the request: the deputy timer will not hand their step over."""
    for s in unopened(who, slots):
        s.opened_at = now


async def listing(
    db: AsyncSession, who: Principal, mine: str | None, status: str | None, limit: int
) -> list[PermitSummary]:
    """Permits the caller oversees or takes part in; `mine=inbox` → steps waiting for their signature."""
    query = select(Permit).where(Permit.deleted_at.is_(None))
    if status:
        query = query.where(Permit.status == status)
    if mine == "inbox":
        slot_ids = select(ApprovalSlot.permit_id).where(
            ApprovalSlot.status == "pending",
            (ApprovalSlot.assignee_id == who.person_id)
            | (ApprovalSlot.handed_to_id == who.person_id)
            | (ApprovalSlot.escalated_to_id == who.person_id),
        )
        query = query.where(Permit.id.in_(slot_ids), Permit.status.in_(("submitted", "approving")))
    permits = list(await db.scalars(query.order_by(Permit.planned_start.desc()).limit(500)))
    ids = [p.id for p in permits]
    slots_by: dict[uuid.UUID, list[ApprovalSlot]] = {pid: [] for pid in ids}
    if ids:
        for slot in await db.scalars(select(ApprovalSlot).where(ApprovalSlot.permit_id.in_(ids))):
            slots_by[slot.permit_id].append(slot)
    areas = {a.id: a for a in await db.scalars(select(Area).where(Area.id.in_({p.area_id for p in permits})))}
    out = []
    for p in permits:
        slots = sorted(slots_by[p.id], key=lambda s: (s.stage, s.key))
        if not (who.oversees(p.scope_path) or involved(p, who, slots)):
            continue
        out.append(
            PermitSummary(
                id=p.id,
                number=p.number,
                work_type=p.work_type,
                work_type_name=work_type(p.work_type).name,
                grade=p.grade,
                grade_label=catalogue().label(p.grade),
                status=p.status,
                area_name=areas[p.area_id].name,
                content=p.content,
                planned_start=p.planned_start,
                valid_until=p.valid_until,
                my_steps=open_steps(who, p, slots),
            )
        )
        if len(out) >= limit:
            break
    return out


async def history(db: AsyncSession, permit: Permit) -> list[EventOut]:
    """The permit's history, oldest first (the audit log mirrors the same entries once it lands)."""
    rows = list(
        await db.scalars(
            select(PermitEvent)
            .where(PermitEvent.permit_id == permit.id)
            .order_by(PermitEvent.at, PermitEvent.id)
        )
    )
    people = await _people(db, [r.actor_id for r in rows if r.actor_id])
    return [
        EventOut(
            at=r.at,
            kind=r.kind,
            text=r.text,
            actor=_ref(people.get(r.actor_id)) if r.actor_id else None,
            detail=r.detail,
        )
        for r in rows
    ]


async def notifications(db: AsyncSession, who: Principal, unread: bool, limit: int) -> list[NotificationOut]:
    query = select(Notification).where(Notification.person_id == who.person_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows = await db.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    )
    return [
        NotificationOut(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            permit_id=n.permit_id,
            data=n.data,
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in rows
    ]


async def mark_read(db: AsyncSession, who: Principal, notification_id: uuid.UUID, now: datetime) -> None:
    row = await db.get(Notification, notification_id)
    if row is None or row.person_id != who.person_id:
        raise NotFound("通知不存在", code="notification_unknown")
    row.read_at = row.read_at or now


async def candidates(db: AsyncSession, who: Principal, area_id: uuid.UUID, pol: Policy) -> CandidatesOut:
    """Who can be named on a permit for an area: its guardians, and the active workers of its site."""
    area = await db.get(Area, area_id)
    if area is None:
        raise NotFound("作业区域不存在", code="area_unknown")
    scope = await scope_of(db, area)
    if not acts_for(who, pol.approval.applicant_roles, scope):
        raise Forbidden("只有该区域的班组长等人员可以申请作业票", code="role_required")
    site = await db.get(OrgUnit, area.site_id)
    assert site is not None
    guardian_ids = await approvals.holders(db, "guardian", scope)
    rows = await db.execute(
        select(Person, OrgUnit.name)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(
            RoleAssignment.role == "worker",
            RoleAssignment.deleted_at.is_(None),
            Person.unit_path.startswith(site.path),
            Person.employment == "active",
        )
        .order_by(Person.unit_path, Person.name)
    )
    workers = {p.id: CandidateOut(id=p.id, name=p.name, unit_name=unit) for p, unit in rows}
    people = await _people(db, guardian_ids)
    guardians = [
        CandidateOut(id=pid, name=people[pid].name, unit_name="") for pid in guardian_ids if pid in people
    ]
    return CandidatesOut(guardians=guardians, operators=list(workers.values()))
