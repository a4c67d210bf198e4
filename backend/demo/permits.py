"""Demo permits in 聚合车间 in several states, gas detectors bound to the hazardous areas, one edge node."""
# ruff: noqa: E501

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import Device
from backend.config import Settings
from backend.demo.records import DemoPlan
from backend.demo.staff import DEMO_WORKSHOP, WELDER_TEAM
from backend.gas.models import GasDetector
from backend.gas.service import issue_device_token
from backend.jobs import service as timers
from backend.org.models import Area, OrgUnit, SafetyFeature
from backend.people.models import Person
from backend.people.service import find_by_id_number, id_cipher
from backend.permits import approvals, epermit, events
from backend.permits.catalogue import Policy, catalogue, policy
from backend.permits.geo import centroid
from backend.permits.models import ApprovalSlot, Permit
from backend.permits.service import _number, grade_permit

DEMO_EVIDENCE = {"demo": True, "note": "演示数据：未经通行密钥签名"}


async def _detectors(db: AsyncSession, site: OrgUnit) -> tuple[Device, int]:
    device = Device(kind="edge", name=f"{site.code} 边缘节点（演示）", site_id=site.id)
    db.add(device)
    await db.flush()
    features = await db.scalars(
        select(SafetyFeature).where(SafetyFeature.site_id == site.id, SafetyFeature.kind == "gas_detector")
    )
    count = 0
    for f in features:
        area = await db.get(Area, f.area_id) if f.area_id else None
        if area is None:
            continue
        gas = "hydrogen_sulfide" if area.hazard_class == "confined_space" else "methane"
        code = f.label.split()[0]
        db.add(
            GasDetector(
                code=code, name=f.label, site_id=site.id, area_id=area.id, gas=gas, kind="fixed",
                device_id=device.id, scope_path=area.scope_path,
            )
        )  # fmt: skip
        count += 1
    return device, count


async def _person(db: AsyncSession, settings: Settings, id_number: str) -> Person:
    person = await find_by_id_number(db, id_cipher(settings.secret_key), id_number)
    assert person is not None
    return person


async def _permit(
    db: AsyncSession,
    pol: Policy,
    area: Area,
    scope: str,
    applicant: Person,
    crew: dict[str, Any],
    spec: dict[str, Any],
    now: datetime,
) -> Permit:
    wt = catalogue().get(spec["work_type"])
    assert wt is not None
    start = spec["start"]
    permit = Permit(
        number=await _number(db, wt, start, pol),
        work_type=wt.code,
        grade="none",
        status="draft",
        site_id=area.site_id,
        workshop_id=area.workshop_id,
        area_id=area.id,
        scope_path=scope,
        applicant_id=applicant.id,
        guardian_id=crew["guardian"].id,
        operator_ids=[str(p.id) for p in crew["operators"]],
        work_point=list(centroid(area.plan_polygon)),
        content=spec["content"],
        form=spec["form"],
        facts=spec.get("facts", {}),
        measures=[{"text": m, "baseline": True} for m in wt.measures],
        planned_start=start,
        planned_end=start + spec["hours"],
        valid_until=start + spec["hours"],
    )
    result = grade_permit(permit, area, pol)
    permit.grade = result.grade
    permit.grading = msgspec.to_builtins(result)
    db.add(permit)
    await db.flush()
    await events.record(db, permit, "created", f"申请作业票（{result.grade_label}）", now, applicant.id)
    status = spec["status"]
    if status == "draft":
        return permit
    permit.submitted_at = now
    permit.current_stage = 1
    slots = []
    for step in result.approval_steps:
        slot = ApprovalSlot(
            permit_id=permit.id, stage=step.stage, key=step.key, role=step.role, on_site=step.on_site,
            gas_lock=step.gas_lock, status="waiting", assignee_id=crew["signers"].get(step.role), scope_path=scope,
        )  # fmt: skip
        db.add(slot)
        slots.append(slot)
    await db.flush()
    await events.record(db, permit, "submitted", f"提交审批：{result.grade_label}", now, applicant.id)
    if status == "submitted":
        permit.status = "submitted"
        for slot in slots:
            if slot.stage == 1:
                await approvals.open_slot(db, permit, slot, scope, now, pol)
        return permit
    for slot in slots:
        slot.status, slot.decided_by, slot.decided_at, slot.evidence = (
            "approved",
            slot.assignee_id,
            now,
            DEMO_EVIDENCE,
        )
        await events.record(
            db, permit, "step_approved", f"{slot.role} 批准（演示数据）", now, slot.assignee_id
        )
    permit.status, permit.approved_at = "approved", now
    if status in ("approved", "active"):
        payload, key = {"permit_id": str(permit.id)}, f"permits.expire:{permit.id}"
        await timers.schedule(db, "permits.expire", permit.valid_until, payload, key, now=now)
    if status in ("active", "closed"):
        permit.status, permit.started_at = "active", start
        await events.record(db, permit, "started", "验票通过，作业开始", start, applicant.id)
    if status in ("approved", "active"):
        await epermit.schedule_push(db, permit, now, pol)
    if status == "closed":
        permit.status, permit.completed_at, permit.ended_at = "closed", permit.planned_end, permit.planned_end
        await events.record(db, permit, "completed", "完工验收", permit.planned_end, applicant.id)
    if status == "cancelled":
        permit.status, permit.status_reason, permit.ended_at = "cancelled", spec["reason"], now
        await events.record(db, permit, "cancelled", spec["reason"], now, applicant.id)
    return permit


async def install_permits(db: AsyncSession, settings: Settings, plan: DemoPlan, now: datetime) -> str | None:
    """Detectors + an edge token + six permits, once; returns the edge token when it was created."""
    if await db.scalar(select(Permit.id).limit(1)) is not None:
        return None
    pol = policy(settings.data_dir)
    site = await db.scalar(select(OrgUnit).where(OrgUnit.code == "NJ1"))
    workshop = await db.scalar(select(OrgUnit).where(OrgUnit.code == DEMO_WORKSHOP))
    assert site is not None and workshop is not None
    device, _count = await _detectors(db, site)
    token = await issue_device_token(db, device)
    accounts = {a.role: await _person(db, settings, a.id_number) for a in plan.accounts}
    welders = [p for p in plan.people if p.unit_code == WELDER_TEAM and p.title == "焊工"]
    second = next(
        p for p in plan.people if p.unit_code == WELDER_TEAM and p.id_number != welders[0].id_number
    )
    crew = {
        "guardian": accounts["guardian"],
        "operators": [accounts["worker"], await _person(db, settings, second.id_number)],
        "signers": {
            r: accounts[r].id
            for r in ("team_leader", "safety_officer", "workshop_director", "vice_president")
        },
    }
    areas = {a.name: a for a in await db.scalars(select(Area).where(Area.workshop_id == workshop.id))}
    day = now.replace(second=0, microsecond=0)
    hot = {
        "location_detail": "出料管线法兰",
        "fire_method": "电焊",
        "risk_identification": "火灾、爆炸、灼烫、触电",
    }
    cs = {
        "space_name": "聚合釜 R-101",
        "original_medium": "氯乙烯、聚氯乙烯树脂",
        "risk_identification": "中毒、窒息、坠落",
    }
    specs: list[tuple[str, dict[str, Any]]] = [
        ("聚合后处理厂房", {"work_type": "hot_work", "status": "draft", "content": "干燥机出口管线补焊",
                          "form": hot, "facts": {"shutdown_isolated": True}, "start": day + timedelta(days=1),
                          "hours": timedelta(hours=6)}),
        ("聚合后处理厂房", {"work_type": "hot_work", "status": "submitted", "content": "离心机进料管法兰更换焊接",
                          "form": hot, "start": day + timedelta(hours=2), "hours": timedelta(hours=4)}),
        ("聚合釜R-101检修区", {"work_type": "confined_space", "status": "approved", "content": "R-101 釜内清理与检查",
                              "form": cs, "start": day + timedelta(minutes=40), "hours": timedelta(hours=8)}),
        ("聚合装置区", {"work_type": "work_at_height", "status": "active", "content": "聚合框架三层保温拆除",
                       "form": {"location_detail": "框架三层东侧", "risk_identification": "坠落、物体打击"},
                       "facts": {"height_m": 12}, "start": day - timedelta(hours=1), "hours": timedelta(hours=8)}),
        ("聚合后处理厂房", {"work_type": "hot_work", "status": "closed", "content": "包装线支架切割",
                          "form": hot, "facts": {"shutdown_isolated": True}, "start": day - timedelta(days=1),
                          "hours": timedelta(hours=5)}),
        ("聚合装置区", {"work_type": "blinding", "status": "cancelled", "content": "VCM 进料线加盲板",
                       "form": {"pipe_name": "VCM 进料线", "medium": "氯乙烯 常温 0.4MPa", "blind_spec": "DN80 8字盲板 #07",
                                "action": "堵"}, "facts": {"pipe": "VCM-101"}, "reason": "检修计划调整，作业取消",
                       "start": day + timedelta(hours=3), "hours": timedelta(hours=4)}),
    ]  # fmt: skip
    for area_name, spec in specs:
        await _permit(db, pol, areas[area_name], workshop.path, accounts["team_leader"], crew, spec, now)
    await db.flush()
    return token
