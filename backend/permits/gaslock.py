"""Gas on a permit: manual analyses, the checks before work, re-test deadlines and reactions to alarms."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.core.errors import Conflict, Forbidden, Invalid
from backend.gas import service as gas
from backend.gas.models import GasReading
from backend.jobs import service as timers
from backend.jobs.models import CANCELLED, PENDING, Timer
from backend.permits import events
from backend.permits.catalogue import GasRule, Policy, catalogue, gases
from backend.permits.grading import FIRE_AREAS
from backend.permits.models import ApprovalSlot, GasAnalysis, Permit
from backend.permits.schemas import AnalysisIn
from backend.permits.store import acts_for, area_of

GAS_ROLES = ("guardian", "team_leader", "safety_officer", "inspector", "workshop_director")


async def rules(db: AsyncSession, permit: Permit) -> list[GasRule]:
    """The work type's gas rules that apply to this permit's grade and area."""
    wt = catalogue().get(permit.work_type)
    assert wt is not None
    area = await area_of(db, permit)
    return [
        r
        for r in wt.gas
        if (r.grades is None or permit.grade in r.grades)
        and (r.when != "fire_area" or area.hazard_class in FIRE_AREAS)
    ]


def _judge(data: AnalysisIn, pol: Policy) -> tuple[bool, str]:
    if data.unit == "lel":
        return gas.judge(data.gas, data.result, None, pol.gas)
    if data.unit == "vol":
        info = gases().get(data.gas)
        if info is None:
            raise Invalid(f"未知气体 {data.gas}", code="gas_unknown")
        return gas.judge(data.gas, data.result / float(info["lel_vol_percent"]) * 100, None, pol.gas)
    if data.unit == "o2":
        return gas.judge("methane", None, data.result, pol.gas)
    raise Invalid("单位须为 lel、vol 或 o2", code="unit_invalid")


async def record_analysis(
    db: AsyncSession,
    who: Principal,
    permit: Permit,
    data: AnalysisIn,
    now: datetime,
    pol: Policy,
    row_id: uuid.UUID | None = None,
) -> GasAnalysis:
    """A manual analysis (A.1/A.2 columns), judged by §5.3.2 / §6.4; a failed one stops active work.

    `row_id`: the id the phone gave the analysis when it recorded it offline (sync)."""
    if not acts_for(who, GAS_ROLES, permit.scope_path):
        raise Forbidden("您没有记录气体分析的权限", code="role_required")
    if data.sampled_at > now + timedelta(minutes=2):
        raise Invalid("取样时间不能晚于当前时间", code="sampled_in_future")
    passed, verdict = _judge(data, pol)
    row = GasAnalysis(
        id=row_id,
        permit_id=permit.id,
        sampled_at=data.sampled_at,
        point=data.point,
        gas=data.gas,
        result=data.result,
        unit=data.unit,
        passed=passed,
        verdict=verdict,
        analyst_id=data.analyst_id or who.person_id,
        recorded_by=who.person_id,
        scope_path=permit.scope_path,
    )
    db.add(row)
    await db.flush()
    unit = {"lel": "%LEL", "vol": "% v/v", "o2": "% O₂"}[data.unit]
    text = f"气体分析 {data.point} {data.gas} {data.result:g}{unit}：{verdict}"
    await events.record(db, permit, "gas_analysis", text, now, who.person_id, passed=passed)
    if not passed and permit.status == "active":
        from backend.permits.lifecycle import suspend

        await suspend(db, None, permit, f"气体分析不合格（{verdict}）", now, pol)
    return row


async def _latest_analysis(db: AsyncSession, permit: Permit) -> GasAnalysis | None:
    return await db.scalar(
        select(GasAnalysis)
        .where(GasAnalysis.permit_id == permit.id, GasAnalysis.deleted_at.is_(None))
        .order_by(GasAnalysis.sampled_at.desc())
        .limit(1)
    )


def _local_day(at: datetime, pol: Policy) -> object:
    return at.astimezone(timezone(timedelta(hours=pol.time.utc_offset_hours))).date()


async def check_before_work(
    db: AsyncSession, permit: Permit, now: datetime, pol: Policy, since: datetime | None
) -> None:
    """§5.3.1 c/d, §6.3: a passing analysis ≤ 30 min old before work (and after a long break), same day;
    for continuously monitored work, the live lock must be clear too."""
    applicable = await rules(db, permit)
    kinds = {r.kind: r for r in applicable}
    latest = await _latest_analysis(db, permit)
    if "pre_start" in kinds:
        rule = kinds["pre_start"]
        window = timedelta(minutes=rule.within_minutes or 30)
        break_rule = kinds.get("retest_after_break")
        long_break = since is not None and (
            break_rule is None
            or break_rule.minutes is None
            or now - since > timedelta(minutes=break_rule.minutes.get(permit.grade, 30))
        )
        needs_test = (
            since is None
            or long_break
            or (latest and _local_day(latest.sampled_at, pol) != _local_day(now, pol))
        )
        if needs_test:
            if latest is None or latest.sampled_at < now - window or (since and latest.sampled_at < since):
                what = "作业前" if since is None else "中断后恢复作业前"
                raise Conflict(
                    f"{what}须有 {window.seconds // 60} min 内的合格气体分析（{rule.clause}）",
                    code="gas_analysis_required",
                )
            if not latest.passed:
                raise Conflict(f"最近一次气体分析不合格：{latest.verdict}", code="gas_analysis_failed")
    if pol.continuous(permit.work_type, permit.grade):
        lock = await gas.lock_state(db, permit.area_id, now, pol.gas)
        if lock.locked:
            raise Conflict(f"连续气体监测未合格：{lock.reason}（§5.3.1 d）", code="gas_locked")


def _prefix(permit: Permit) -> str:
    return f"permits.gas:{permit.id}:"


async def arm_deadlines(db: AsyncSession, permit: Permit, now: datetime, pol: Policy) -> None:
    """Timers that suspend the permit when a re-test is missed: every 2 h (confined), daily, continuous."""
    payload = {"permit_id": str(permit.id)}
    for rule in await rules(db, permit):
        if rule.kind == "periodic" and rule.every_minutes:
            latest = await _latest_analysis(db, permit)
            basis = latest.sampled_at if latest and latest.passed else now
            due = basis + timedelta(minutes=rule.every_minutes)
            await timers.schedule(
                db,
                "permits.gas_due",
                due,
                {**payload, "rule": "periodic"},
                f"{_prefix(permit)}p:{due.isoformat()}",
                now=now,
            )
        if rule.kind == "daily":
            local = timezone(timedelta(hours=pol.time.utc_offset_hours))
            tomorrow = now.astimezone(local).date() + timedelta(days=1)
            due = datetime.combine(tomorrow, time(0, 0), tzinfo=local)
            if due < permit.valid_until:
                await timers.schedule(
                    db,
                    "permits.gas_due",
                    due,
                    {**payload, "rule": "daily"},
                    f"{_prefix(permit)}d:{due.isoformat()}",
                    now=now,
                )
    if pol.continuous(permit.work_type, permit.grade):
        due = now + timedelta(minutes=pol.gas.max_reading_gap_minutes)
        await timers.schedule(
            db, "permits.gas_watch", due, payload, f"{_prefix(permit)}w:{due.isoformat()}", now=now
        )


async def cancel_deadlines(db: AsyncSession, permit: Permit, now: datetime) -> None:
    await db.execute(
        update(Timer)
        .where(Timer.dedupe_key.startswith(_prefix(permit)), Timer.status == PENDING)
        .values(status=CANCELLED, finished_at=now, updated_at=now)
    )


async def deadline_due(
    db: AsyncSession, permit: Permit, rule: str, due: datetime, now: datetime, pol: Policy
) -> None:
    """A re-test deadline fired: suspend unless a passing analysis came in time (then re-arm)."""
    if permit.status != "active":
        return
    latest = await _latest_analysis(db, permit)
    if rule == "periodic":
        every = next((r.every_minutes for r in await rules(db, permit) if r.kind == "periodic"), 120) or 120
        if latest and latest.passed and latest.sampled_at > due - timedelta(minutes=every):
            await arm_deadlines(db, permit, now, pol)
            return
        reason = f"超过 {every} min 未记录气体检测（§6.5）"
    else:
        if latest and latest.passed and _local_day(latest.sampled_at, pol) == _local_day(now, pol):
            return
        reason = "新的一天开始作业前须重新进行气体分析（§5.3.1 d）"
    from backend.permits.lifecycle import suspend

    await suspend(db, None, permit, reason, now, pol)


async def watch(db: AsyncSession, permit: Permit, now: datetime, pol: Policy) -> None:
    """Continuous monitoring (§5.3.1 d): a silent or out-of-limit detector stops the work."""
    if permit.status != "active":
        return
    lock = await gas.lock_state(db, permit.area_id, now, pol.gas)
    if lock.locked:
        from backend.permits.lifecycle import suspend

        await suspend(db, None, permit, f"连续气体监测：{lock.reason}", now, pol)
        return
    due = now + timedelta(minutes=pol.gas.max_reading_gap_minutes)
    await timers.schedule(
        db,
        "permits.gas_watch",
        due,
        {"permit_id": str(permit.id)},
        f"{_prefix(permit)}w:{due.isoformat()}",
        now=now,
    )


async def on_readings(
    db: AsyncSession, readings: Sequence[GasReading], now: datetime, pol: Policy
) -> list[Permit]:
    """Out-of-limit readings: the lock re-engages, active permits in the area are suspended (§5.2.6, §6.5)."""
    bad_areas: dict[uuid.UUID, GasReading] = {}
    for r in readings:
        if not r.within_limits and r.area_id is not None:
            bad_areas[r.area_id] = r
    suspended: list[Permit] = []
    if not bad_areas:
        return suspended
    from backend.permits.lifecycle import suspend

    permits = await db.scalars(
        select(Permit).where(
            Permit.area_id.in_(bad_areas), Permit.status.in_(("active", "submitted", "approving"))
        )
    )
    for permit in permits:
        reading = bad_areas[permit.area_id]
        what = (
            f"{reading.gas} {reading.lel_percent}%LEL"
            if reading.lel_percent is not None
            else f"O₂ {reading.o2_percent}%"
        )
        if permit.status == "active" and (
            permit.work_type in pol.gas.suspend_on_alarm or pol.continuous(permit.work_type, permit.grade)
        ):
            await suspend(db, None, permit, f"气体检测超限（{what}），联锁锁定", now, pol)
            suspended.append(permit)
        elif permit.status in ("submitted", "approving"):
            locked = await db.scalar(
                select(ApprovalSlot.id).where(
                    ApprovalSlot.permit_id == permit.id,
                    ApprovalSlot.gas_lock.is_(True),
                    ApprovalSlot.status == "pending",
                )
            )
            if locked is not None:
                await events.record(db, permit, "gas_locked", f"气体检测超限（{what}），审批联锁锁定", now)
    return suspended
