"""After submission: signed decisions, 验票 start, suspend ⇄ resume, 验收, close, cancel, expiry."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.auth.models import Passkey
from backend.auth.principal import Principal
from backend.config import Settings
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.gas import service as gas
from backend.jobs import service as timers
from backend.people.models import Person
from backend.permits import approvals, epermit, events, gaslock
from backend.permits.catalogue import Policy
from backend.permits.models import FINAL, LIVE, ApprovalSlot, Permit, PermitEvent
from backend.permits.qualifications import Refusal
from backend.permits.schemas import DecisionBase, DecisionIn, DecisionOptionsOut, Location
from backend.permits.service import check_people
from backend.permits.store import acts_for, area_of, slots_of

STATUS_NAMES = {
    "cancelled": "已取消",
    "rejected": "已被驳回",
    "expired": "已过期",
    "closed": "已关闭",
    "completed": "已完工",
}


def _ended(permit: Permit, by: Person | None = None) -> Conflict:
    """Why nothing more can happen to a permit that ended: the state, who, when, and the reason given."""
    when = permit.ended_at or permit.completed_at
    at = f"于 {when.isoformat(timespec='minutes')} " if when else ""
    who = f"由 {by.name} " if by else ""
    reason = f"：{permit.status_reason}" if permit.status_reason else ""
    return Conflict(
        f"作业票 {permit.number} {who}{at}{STATUS_NAMES.get(permit.status, permit.status)}{reason}",
        code=f"permit_{permit.status}",
        extra={
            "permit_status": permit.status,
            "reason": permit.status_reason,
            "ended_at": when.isoformat() if when else None,
            "ended_by": {"id": str(by.id), "name": by.name} if by else None,
            "version": permit.version,
        },
    )


async def ended(db: AsyncSession, permit: Permit) -> Conflict:
    """`_ended` naming who ended it (the actor of the history entry that ended it, if a person)."""
    actor = await db.scalar(
        select(PermitEvent.actor_id)
        .where(PermitEvent.permit_id == permit.id, PermitEvent.kind == permit.status)
        .order_by(PermitEvent.at.desc())
        .limit(1)
    )
    return _ended(permit, await db.get(Person, actor) if actor else None)


def _slot(slots: list[ApprovalSlot], key: str) -> ApprovalSlot:
    slot = next((s for s in slots if s.key == key), None)
    if slot is None:
        raise NotFound(f"审批步骤 {key} 不存在", code="step_unknown")
    return slot


def _canonical(permit: Permit, data: DecisionBase, version: int, sha: str) -> bytes:
    if data.decision not in approvals.DECISIONS:
        raise Invalid("decision 只能是 approve 或 reject", code="decision_invalid")
    return approvals.canonical_decision(
        permit_id=permit.id,
        permit_version=version,
        content_sha256=sha,
        step=data.step,
        decision=data.decision,
        comment=data.comment,
        location=data.location,
        signed_at=data.signed_at,
    )


async def decision_options(
    db: AsyncSession, settings: Settings, who: Principal, permit: Permit, data: DecisionBase
) -> DecisionOptionsOut:
    """The canonical bytes and WebAuthn request options whose challenge is their SHA-256."""
    sha = approvals.content_sha256(permit)
    canonical = _canonical(permit, data, permit.revision, sha)
    creds = await db.scalars(select(Passkey.credential_id).where(Passkey.person_id == who.person_id))
    challenge = approvals.b64url(approvals.challenge_of(canonical))
    options = {
        "challenge": challenge,
        "rpId": settings.rp_id,
        "timeout": 120000,
        "userVerification": "required",
        "allowCredentials": [{"id": approvals.b64url(c), "type": "public-key"} for c in creds],
    }
    return DecisionOptionsOut(
        canonical=canonical.decode(),
        challenge=challenge,
        options=options,
        permit_version=permit.revision,
        content_sha256=sha,
    )


async def decide(
    db: AsyncSession,
    settings: Settings,
    who: Principal,
    permit: Permit,
    data: DecisionIn,
    now: datetime,
    pol: Policy,
    *,
    offline: bool = False,
    people: list[Refusal] | None = None,
) -> ApprovalSlot:
    """Apply one signed approve/reject: guarded by the permit's current state and the signer's rights.

    The same checks run whether the decision arrives at once or hours later from an offline
    phone through sync (`offline`, signed-guarded, SYNC.md): the state first (a cancelled permit
    says who cancelled it, when and why), then the signed revision and content, the signer, the
    signature, on-site evidence and the gas lock. Nothing is written before a refusal except the
    gas-lock history entry.
    """
    if permit.status in FINAL:
        raise await ended(db, permit)
    if permit.status not in ("submitted", "approving"):
        raise Conflict(f"作业票状态为 {permit.status}，不在审批中", code="permit_not_approving")
    slots = await slots_of(db, permit)
    slot = _slot(slots, data.step)
    if slot.status in ("approved", "rejected"):
        raise Conflict(f"步骤 {slot.key} 已处理", code="step_already_decided")
    if slot.status != "pending":
        raise Conflict(f"步骤 {slot.key} 尚未开始（上一级审批未完成）", code="step_not_open")
    sha = approvals.content_sha256(permit)
    if data.permit_version != permit.revision or data.content_sha256 != sha:
        raise Conflict(
            "作业票内容已变更，签名针对的不是当前版本",
            code="stale_version",
            extra={"current_version": permit.revision, "content_sha256": sha},
        )
    if who.person_id not in approvals.signers(slot):
        raise Forbidden("您不是该步骤的审批人（或其B角、升级审批人）", code="not_your_step")
    if data.decision == "approve" and any(
        s.decided_by == who.person_id and s.status == "approved" for s in slots if s.id != slot.id
    ):
        raise Conflict("双签须由不同人员完成", code="dual_signature_same_person")
    canonical = _canonical(permit, data, data.permit_version, data.content_sha256)
    passkey, counter = await approvals.verify_signature(
        db, settings, who.person_id, canonical, data.credential, offline=offline
    )
    distance = None
    if slot.on_site:
        area = await area_of(db, permit)
        distance = approvals.check_on_site(area, data.location, pol.approval.on_site_tolerance_m)
    if data.decision == "approve":
        if slot.gas_lock:
            lock = await gas.lock_state(db, permit.area_id, now, pol.gas)
            if lock.locked:
                await events.record(
                    db, permit, "gas_locked", f"审批被气体联锁拒绝：{lock.reason}", now, who.person_id
                )
                raise Conflict(
                    f"气体检测联锁：{lock.reason}",
                    code="gas_locked",
                    extra={"gas": msgspec.to_builtins(lock)},
                )
        await check_people(db, permit, now, "approve", people)
    if data.decision == "approve":
        # set with the step's own changes, so that one flush carries both (one change-log insert)
        permit.status = "approving"
    if counter != passkey.sign_count:
        passkey.sign_count = counter
    slot.status = "approved" if data.decision == "approve" else "rejected"
    slot.decided_at = now
    slot.decided_by = who.person_id
    slot.comment = data.comment or None
    slot.evidence = {
        "canonical": canonical.decode(),
        "challenge_sha256": approvals.challenge_of(canonical).hex(),
        "credential_id": approvals.b64url(passkey.credential_id),
        "assertion": data.credential,
        "signed_at_device": data.signed_at,
        "received_at": now.isoformat(),
        "distance_m": None if distance is None else round(distance, 1),
    }
    await approvals.close_slot_timers(db, [slot], now)
    verb = "批准" if data.decision == "approve" else "驳回"
    name = approvals.ROLE_NAMES.get(slot.role, slot.role)
    # the audit entry names the passkey that signed and commits to the exact signed decision
    signed = audit.session_evidence(db).with_credential(slot.evidence["credential_id"])
    if data.signed_at:
        signed = msgspec.structs.replace(signed, device_time=data.signed_at)
    await events.record(
        db,
        permit,
        f"step_{slot.status}",
        f"{name}{verb}（通行密钥签名）",
        now,
        who.person_id,
        evidence=signed,
        step=slot.key,
        revision=data.permit_version,
        content_sha256=data.content_sha256,
        challenge_sha256=slot.evidence["challenge_sha256"],
    )
    if data.decision == "reject":
        reason = f"{name}驳回：{data.comment or '未说明理由'}"
        await _end(db, permit, "rejected", reason, now, slots, who.person_id)
        return slot
    await _advance(db, permit, slots, now, pol)
    return slot


async def _advance(
    db: AsyncSession, permit: Permit, slots: list[ApprovalSlot], now: datetime, pol: Policy
) -> None:
    stage = [s for s in slots if s.stage == permit.current_stage]
    if any(s.status != "approved" for s in stage):
        return
    later = [s for s in slots if s.stage > permit.current_stage]
    if later:
        permit.current_stage = min(s.stage for s in later)
        for s in later:
            if s.stage == permit.current_stage:
                await approvals.open_slot(db, permit, s, permit.scope_path, now, pol)
        return
    permit.status = "approved"
    permit.approved_at = now
    await events.record(db, permit, "approved", "审批完成，作业票生效待验票", now)
    await epermit.schedule_push(db, permit, now, pol)
    await timers.schedule(
        db,
        "permits.expire",
        permit.valid_until,
        {"permit_id": str(permit.id)},
        f"permits.expire:{permit.id}",
        now=now,
    )


async def _end(
    db: AsyncSession,
    permit: Permit,
    status: str,
    reason: str,
    now: datetime,
    slots: list[ApprovalSlot] | None = None,
    actor_id: uuid.UUID | None = None,
) -> None:
    permit.status = status
    permit.status_reason = reason
    permit.ended_at = now
    slots = slots if slots is not None else await slots_of(db, permit)
    await approvals.close_slot_timers(db, [s for s in slots if s.status == "pending"], now)
    for key in (f"permits.push:{permit.id}", f"permits.expire:{permit.id}"):
        await timers.cancel(db, key, now=now)
    await gaslock.cancel_deadlines(db, permit, now)
    await events.record(db, permit, status, reason, now, actor_id)


def _require(who: Principal, roles: list[str], permit: Permit, action: str) -> None:
    if not acts_for(who, roles, permit.scope_path):
        raise Forbidden(f"您没有{action}该作业票的权限", code="role_required")


async def start(
    db: AsyncSession, who: Principal, permit: Permit, location: Location | None, now: datetime, pol: Policy
) -> None:
    """验票 (A.1 "动火前，岗位当班班长验票"): on site, within validity, people qualified, gas fresh."""
    if permit.status in FINAL:
        raise await ended(db, permit)
    if permit.status != "approved":
        raise Conflict(f"作业票状态为 {permit.status}，不能开始作业", code="not_approved")
    _require(who, pol.approval.start_roles, permit, "验票开始")
    if now >= permit.valid_until:
        await expire(db, permit, now)
        raise _ended(permit)
    if now < permit.planned_start - timedelta(minutes=pol.push.minutes_before_start):
        raise Conflict("未到计划作业时间", code="too_early")
    if pol.approval.on_site:
        approvals.check_on_site(await area_of(db, permit), location, pol.approval.on_site_tolerance_m)
    await check_people(db, permit, now, "start")
    await gaslock.check_before_work(db, permit, now, pol, since=None)
    permit.status = "active"
    permit.started_at = now
    await events.record(db, permit, "started", "验票通过，作业开始", now, who.person_id)
    await gaslock.arm_deadlines(db, permit, now, pol)


async def suspend(
    db: AsyncSession, who: Principal | None, permit: Permit, reason: str, now: datetime, pol: Policy
) -> None:
    """Stop the work (guardian §4.10 e, gas alarm §5.2.6, missed re-test); the permit stays valid."""
    if permit.status != "active":
        raise Conflict(f"作业票状态为 {permit.status}，不在作业中", code="not_active")
    if who is not None:
        _require(who, pol.approval.suspend_roles, permit, "暂停")
    permit.status = "suspended"
    permit.suspended_at = now
    permit.status_reason = reason
    await gaslock.cancel_deadlines(db, permit, now)
    await events.record(db, permit, "suspended", f"作业暂停：{reason}", now, who.person_id if who else None)
    await epermit.tell_crew(
        db, permit, "作业暂停", f"{permit.number} 作业暂停：{reason}", f"suspend:{permit.id}:{now}"
    )


async def resume(
    db: AsyncSession, who: Principal, permit: Permit, location: Location | None, now: datetime, pol: Policy
) -> None:
    """Back to work: re-test after a long break (§5.3.1 d, §6.3 f); people are checked again."""
    if permit.status != "suspended":
        raise Conflict(f"作业票状态为 {permit.status}，不能恢复", code="not_suspended")
    _require(who, pol.approval.start_roles, permit, "恢复")
    if now >= permit.valid_until:
        await expire(db, permit, now)
        raise _ended(permit)
    if pol.approval.on_site:
        approvals.check_on_site(await area_of(db, permit), location, pol.approval.on_site_tolerance_m)
    await check_people(db, permit, now, "resume")
    await gaslock.check_before_work(db, permit, now, pol, since=permit.suspended_at)
    permit.status = "active"
    permit.status_reason = None
    await events.record(db, permit, "resumed", "作业恢复", now, who.person_id)
    await gaslock.arm_deadlines(db, permit, now, pol)


async def complete(
    db: AsyncSession, who: Principal, permit: Permit, comment: str, now: datetime, pol: Policy
) -> None:
    """完工验收 (§4.15)."""
    if permit.status not in ("active", "suspended"):
        raise Conflict(f"作业票状态为 {permit.status}，不能验收", code="not_active")
    _require(who, pol.approval.complete_roles, permit, "验收")
    permit.status = "completed"
    permit.completed_at = now
    permit.status_reason = comment or None
    await timers.cancel(db, f"permits.expire:{permit.id}", now=now)
    await gaslock.cancel_deadlines(db, permit, now)
    await events.record(
        db, permit, "completed", f"完工验收{('：' + comment) if comment else ''}", now, who.person_id
    )


async def close(db: AsyncSession, who: Principal, permit: Permit, now: datetime, pol: Policy) -> None:
    if permit.status != "completed":
        raise Conflict(f"作业票状态为 {permit.status}，须先完工验收", code="not_completed")
    _require(who, pol.approval.close_roles, permit, "关闭")
    permit.status = "closed"
    permit.ended_at = now
    await events.record(db, permit, "closed", "作业票关闭归档", now, who.person_id)


async def cancel(
    db: AsyncSession,
    who: Principal,
    permit: Permit,
    reason: str,
    now: datetime,
    pol: Policy,
    *,
    allow_applicant: bool = True,
) -> None:
    if permit.status in FINAL:
        raise await ended(db, permit)
    if not reason.strip():
        raise Invalid("取消须说明理由", code="reason_required")
    applicant = allow_applicant and who.person_id == permit.applicant_id
    if not applicant:
        _require(who, pol.approval.close_roles, permit, "取消")
    slots = await slots_of(db, permit)
    for s in slots:
        if s.status == "pending":
            for pid in approvals.signers(s):
                await approvals.notify(
                    db,
                    pid,
                    "cancelled",
                    "作业票已取消",
                    f"{permit.number}：{reason}",
                    permit,
                    f"cancel:{permit.id}:{pid}",
                )
    await _end(db, permit, "cancelled", reason.strip(), now, slots, who.person_id)


async def expire(db: AsyncSession, permit: Permit, now: datetime) -> bool:
    """At the end of validity a live permit expires (§4.16: a new permit is needed to go on)."""
    if permit.status not in LIVE or now < permit.valid_until:
        return False
    working = permit.status in ("active", "suspended")
    await _end(db, permit, "expired", "超过作业票有效期，须重新办理（§4.16）", now)
    if working:
        await epermit.tell_crew(
            db, permit, "作业票已过期", f"{permit.number} 已超过有效期，立即停止作业", f"expired:{permit.id}"
        )
    return True
