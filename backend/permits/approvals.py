"""Approval slots: who signs, the canonical decision they sign with a passkey, deputies and escalation."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn import base64url_to_bytes, verify_authentication_response
from webauthn.helpers.exceptions import InvalidAuthenticationResponse

from backend.auth.models import Device, Passkey
from backend.config import Settings
from backend.core.errors import Conflict, Forbidden, Invalid, Unauthorized
from backend.jobs import service as timers
from backend.jobs.models import CANCELLED, PENDING, Timer
from backend.org.models import Area
from backend.people.models import Deputy, Person, RoleAssignment
from backend.permits import events
from backend.permits.catalogue import Policy
from backend.permits.geo import gps_distance_to_polygon_m
from backend.permits.models import Absence, ApprovalSlot, Notification, Permit
from backend.permits.schemas import Location

DECISIONS = ("approve", "reject")
ROLE_NAMES = {
    "team_leader": "班组长",
    "safety_officer": "安全员",
    "workshop_director": "车间主任",
    "vice_president": "分管副总",
    "guardian": "监护人",
    "inspector": "巡检员",
}


def content_sha256(permit: Permit) -> str:
    """Hash of what approvers approve: the request as submitted (it never changes afterwards, §4.16)."""
    content = {
        "number": permit.number,
        "work_type": permit.work_type,
        "grade": permit.grade,
        "area_id": str(permit.area_id),
        "work_point": permit.work_point,
        "content": permit.content,
        "form": permit.form,
        "facts": permit.facts,
        "measures": permit.measures,
        "guardian_id": str(permit.guardian_id) if permit.guardian_id else None,
        "operator_ids": sorted(str(o) for o in permit.operator_ids),
        "planned_start": permit.planned_start.isoformat(),
        "planned_end": permit.planned_end.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, non-ASCII kept: JSON.stringify of a key-sorted object."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_decision(
    *,
    permit_id: uuid.UUID,
    permit_version: int,
    content_sha256: str,
    step: str,
    decision: str,
    comment: str,
    location: Location | None,
    signed_at: str,
) -> bytes:
    """The exact bytes an approver signs; their SHA-256 is the WebAuthn challenge (docs/permits.md)."""
    return canonical_json(
        {
            "v": 1,
            "kind": "permit.decision",
            "permit_id": str(permit_id),
            "permit_version": permit_version,
            "content_sha256": content_sha256,
            "step": step,
            "decision": decision,
            "comment": comment,
            "location": None
            if location is None
            else {"lat_e6": location.lat_e6, "lon_e6": location.lon_e6, "accuracy_m": location.accuracy_m},
            "signed_at": signed_at,
        }
    )


def challenge_of(canonical: bytes) -> bytes:
    return hashlib.sha256(canonical).digest()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def verify_signature(
    db: AsyncSession,
    settings: Settings,
    signer_id: uuid.UUID,
    canonical: bytes,
    credential: dict[str, Any],
    *,
    offline: bool = False,
) -> tuple[Passkey, int]:
    """The assertion verifies over SHA-256(canonical) with a passkey of `signer_id` (user verified).

    Returns the passkey and its new signature counter; the caller stores the counter once every
    other check has passed (nothing is written before a refusal).

    `offline`: the decision was signed on a phone without network and arrives through sync, maybe
    after a later online sign-in raised the passkey's counter, so the counter is not compared
    (docs/sync.md); a replay is still impossible, because a step is decided once.
    """
    try:
        raw_id = base64url_to_bytes(str(credential["rawId"]))
    except (KeyError, ValueError, TypeError):
        raise Invalid("签名凭据格式错误", code="signature_invalid") from None
    passkey = await db.scalar(select(Passkey).where(Passkey.credential_id == raw_id).with_for_update())
    if passkey is None or passkey.person_id != signer_id:
        raise Unauthorized("签名所用通行密钥不属于该审批人", code="signature_not_signer")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge_of(canonical),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=0 if offline else passkey.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise Unauthorized(f"审批签名验证失败: {exc}", code="signature_invalid") from None
    return passkey, max(passkey.sign_count, verified.new_sign_count)


def check_on_site(area: Area, location: Location | None, tolerance_m: float) -> float:
    """GB 30871-2022 §4.11 a: the approver is at the work site. Returns the distance in metres."""
    if location is None:
        raise Forbidden("按规定须在作业现场审批（§4.11 a），请开启定位后重试", code="location_required")
    if not area.gps_polygon:
        raise Forbidden("作业区域没有GPS范围，无法核验现场审批", code="area_without_gps")
    point = (location.lon_e6 / 1e6, location.lat_e6 / 1e6)
    distance = gps_distance_to_polygon_m(point, area.gps_polygon)
    if distance > tolerance_m + max(0, location.accuracy_m):
        raise Forbidden(
            f"您距作业区域约 {distance:.0f} m，须在作业现场审批（GB 30871-2022 §4.11 a）",
            code="approval_off_site",
            extra={"distance_m": round(distance)},
        )
    return distance


async def holders(
    db: AsyncSession, role: str, workshop_path: str, prefer_path: str | None = None
) -> list[uuid.UUID]:
    """People holding `role` over the area's workshop (or inside it), nearest scope first."""
    rows = (
        await db.execute(
            select(RoleAssignment.person_id, RoleAssignment.scope_path)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(
                RoleAssignment.role == role,
                RoleAssignment.deleted_at.is_(None),
                Person.employment == "active",
                Person.deleted_at.is_(None),
            )
        )
    ).all()
    eligible = [
        (pid, path) for pid, path in rows if workshop_path.startswith(path) or path.startswith(workshop_path)
    ]

    def rank(item: tuple[uuid.UUID, str]) -> tuple[int, int, str]:
        pid, path = item
        preferred = 0 if prefer_path and prefer_path.startswith(path) else 1
        return preferred, -len(path), str(pid)

    seen: list[uuid.UUID] = []
    for pid, _path in sorted(eligible, key=rank):
        if pid not in seen:
            seen.append(pid)
    return seen


async def is_away(db: AsyncSession, person_id: uuid.UUID, now: datetime) -> Absence | None:
    return await db.scalar(
        select(Absence).where(
            Absence.person_id == person_id,
            Absence.deleted_at.is_(None),
            Absence.starts_at <= now,
            Absence.ends_at > now,
        )
    )


async def deputy_of(
    db: AsyncSession, principal_id: uuid.UUID, role: str, workshop_path: str, now: datetime
) -> Person | None:
    """The principal's B角 for `role` over the area, active now, present and in employment."""
    rows = await db.scalars(
        select(Deputy).where(
            Deputy.principal_id == principal_id,
            Deputy.role == role,
            Deputy.deleted_at.is_(None),
            or_(Deputy.active_from.is_(None), Deputy.active_from <= now),
            or_(Deputy.active_until.is_(None), Deputy.active_until > now),
        )
    )
    for row in rows:
        if not (workshop_path.startswith(row.scope_path) or row.scope_path.startswith(workshop_path)):
            continue
        person = await db.get(Person, row.deputy_id)
        if person and person.employment == "active" and not await is_away(db, person.id, now):
            return person
    return None


async def reachable(db: AsyncSession, person_id: uuid.UUID, now: datetime, minutes: int) -> bool:
    """A phone or wearable of theirs was seen recently (the push channel can reach them)."""
    seen = await db.scalar(
        select(Device.id).where(
            Device.person_id == person_id, Device.last_seen_at >= now - timedelta(minutes=minutes)
        )
    )
    return seen is not None


async def notify(
    db: AsyncSession,
    person_id: uuid.UUID,
    kind: str,
    title: str,
    body: str,
    permit: Permit | None,
    dedupe_key: str,
    data: dict[str, Any] | None = None,
) -> None:
    """An in-app notification, once per dedupe key (web push is wired by the alarms issue)."""
    exists = await db.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key))
    if exists is None:
        db.add(
            Notification(
                person_id=person_id,
                kind=kind,
                title=title,
                body=body,
                permit_id=permit.id if permit else None,
                data=data or {},
                dedupe_key=dedupe_key,
            )
        )


def signers(slot: ApprovalSlot) -> set[uuid.UUID]:
    return {p for p in (slot.assignee_id, slot.handed_to_id, slot.escalated_to_id) if p is not None}


def _timer_key(kind: str, slot: ApprovalSlot) -> str:
    return f"permits.{kind}:{slot.id}"


async def hand_over(
    db: AsyncSession, permit: Permit, slot: ApprovalSlot, to: Person, why: str, now: datetime
) -> None:
    """Give a step to the assignee's B角; both are told and the permit history says why."""
    if slot.handed_to_id == to.id:
        return
    slot.handed_to_id = to.id
    role = ROLE_NAMES.get(slot.role, slot.role)
    text = f"{role}审批转交B角 {to.name}：{why}"
    await events.record(db, permit, "handed_over", text, now, None, slot=slot.key, to=to.id, reason=why)
    body = f"{permit.number} {role}审批已转交给您（B角）：{why}"
    await notify(db, to.id, "handover", "待审批（B角代签）", body, permit, f"handover:{slot.id}:{to.id}")
    if slot.assignee_id:
        await notify(
            db,
            slot.assignee_id,
            "handover",
            "审批已转交B角",
            text,
            permit,
            f"handover-info:{slot.id}:{to.id}",
        )


async def open_slot(
    db: AsyncSession, permit: Permit, slot: ApprovalSlot, workshop_path: str, now: datetime, pol: Policy
) -> None:
    """A stage opens: assign, hand to the B角 if the assignee is away, arm deputy and escalation timers."""
    slot.status = "pending"
    slot.pending_since = now
    applicant = await db.get(Person, permit.applicant_id)
    candidates = await holders(db, slot.role, workshop_path, applicant.unit_path if applicant else None)
    if not candidates:
        raise Conflict(
            f"找不到该区域的{ROLE_NAMES.get(slot.role, slot.role)}，无法提交审批", code="no_approver"
        )
    slot.assignee_id = candidates[0]
    role = ROLE_NAMES.get(slot.role, slot.role)
    await notify(
        db,
        slot.assignee_id,
        "approval_request",
        "待审批作业票",
        f"{permit.number}（{permit.content}）等待您以{role}身份审批",
        permit,
        f"approve:{slot.id}:{slot.assignee_id}",
    )
    away = await is_away(db, slot.assignee_id, now)
    if away is not None:
        deputy = await deputy_of(db, slot.assignee_id, slot.role, workshop_path, now)
        if deputy is not None:
            await hand_over(db, permit, slot, deputy, f"审批人外出（{away.reason or '已标记外出'}）", now)
    payload = {"slot_id": str(slot.id)}
    after = timedelta(minutes=pol.approval.deputy_after_minutes)
    await timers.schedule(db, "permits.deputy", now + after, payload, _timer_key("deputy", slot), now=now)
    escalate = timedelta(minutes=pol.approval.escalate_after_minutes)
    await timers.schedule(
        db, "permits.escalate", now + escalate, payload, _timer_key("escalate", slot), now=now
    )


async def close_slot_timers(db: AsyncSession, slots: Sequence[ApprovalSlot], now: datetime) -> None:
    """The step was decided (or the permit ended): its deputy and escalation timers never fire."""
    keys = [_timer_key(kind, slot) for slot in slots for kind in ("deputy", "escalate")]
    if keys:
        await db.execute(
            update(Timer)
            .where(Timer.dedupe_key.in_(keys), Timer.status == PENDING)
            .values(status=CANCELLED, finished_at=now, updated_at=now)
        )


async def escalate(
    db: AsyncSession, permit: Permit, slot: ApprovalSlot, workshop_path: str, now: datetime, pol: Policy
) -> bool:
    """A step silent for the configured time goes up to the escalation role (seed: 分管副总)."""
    target_role = pol.approval.escalate_to_role
    candidates = [p for p in await holders(db, target_role, workshop_path) if p not in signers(slot)]
    minutes = pol.approval.escalate_after_minutes
    role = ROLE_NAMES.get(slot.role, slot.role)
    if not candidates:
        await events.record(
            db,
            permit,
            "escalation_failed",
            f"{role}审批超过 {minutes} min 未响应，但找不到可升级的审批人",
            now,
        )
        return False
    target = await db.get(Person, candidates[0])
    assert target is not None
    slot.escalated_to_id = target.id
    up = ROLE_NAMES.get(target_role, target_role)
    text = f"{role}审批超过 {minutes} min 未响应，已升级至{up} {target.name}"
    await events.record(db, permit, "escalated", text, now, None, slot=slot.key, to=target.id)
    await notify(
        db, target.id, "escalation", "审批超时升级", f"{permit.number}: {text}", permit, f"escalate:{slot.id}"
    )
    for pid in signers(slot) - {target.id}:
        await notify(
            db,
            pid,
            "escalation",
            "审批超时已升级",
            f"{permit.number}: {text}",
            permit,
            f"escalate:{slot.id}:{pid}",
        )
    return True


async def deputy_check(
    db: AsyncSession, permit: Permit, slot: ApprovalSlot, workshop_path: str, now: datetime, pol: Policy
) -> bool:
    """Not opened within the configured time and no device of theirs reachable → hand to the B角."""
    if slot.assignee_id is None or slot.opened_at is not None or slot.handed_to_id is not None:
        return False
    if await reachable(db, slot.assignee_id, now, pol.approval.reachable_minutes):
        return False
    deputy = await deputy_of(db, slot.assignee_id, slot.role, workshop_path, now)
    if deputy is None:
        return False
    why = f"审批人 {pol.approval.deputy_after_minutes} min 内未查看且设备不可达"
    await hand_over(db, permit, slot, deputy, why, now)
    return True
