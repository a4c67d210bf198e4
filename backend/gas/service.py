"""Gas rules: §5.3.2 limits from %LEL, detectors, device tokens, readings ingest, the live lock."""

from __future__ import annotations

import itertools
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import Device
from backend.core.crypto import token_hash
from backend.core.errors import Forbidden, Invalid, NotFound, Unauthorized
from backend.devices.models import DeviceToken
from backend.gas.models import GasDetector, GasReading
from backend.gas.schemas import DetectorState, LockState, ReadingIn
from backend.gas.units import vol_from_lel
from backend.org.models import Area
from backend.permits.catalogue import GasPolicy, gases

# Hooks that name detectors the live lock must not trust (detector id → why), e.g. analytics'
# calibration overdue / out of tolerance. Such a detector is left out of the lock: its readings
# cannot clear it (if no trusted detector is left, the area stays locked), but an out-of-limit
# reading from it still engages the lock.
DetectorDistrust = Callable[[AsyncSession, Sequence[GasDetector], datetime], Awaitable[dict[uuid.UUID, str]]]
DISTRUST: list[DetectorDistrust] = []


async def distrusted(
    db: AsyncSession, detectors: Sequence[GasDetector], now: datetime
) -> dict[uuid.UUID, str]:
    out: dict[uuid.UUID, str] = {}
    for hook in DISTRUST:
        out.update(await hook(db, detectors, now))
    return out


class Limit(msgspec.Struct, frozen=True):
    lel_percent: float  # the stricter of §5.3.2 (converted) and the enterprise threshold
    standard_vol_percent: float
    text: str


def lel_limit(gas: str, policy: GasPolicy) -> Limit:
    """GB 30871-2022 §5.3.2 in %LEL of `gas`, against the enterprise %LEL threshold: the stricter wins."""
    info = gases().get(gas)
    if info is None:
        raise Invalid(f"未知气体 {gas}", code="gas_unknown")
    lel = float(info["lel_vol_percent"])
    standard = 0.5 if lel >= 4 else 0.2
    standard_lel = standard / lel * 100
    limit = min(standard_lel, policy.enterprise_lel_percent)
    source = "§5.3.2" if standard_lel <= policy.enterprise_lel_percent else "企业阈值"
    text = (
        f"{info['name']} LEL {lel:g}%: §5.3.2 ≤{standard:g}%(v/v) = {standard_lel:.1f}%LEL；"
        f"企业阈值 {policy.enterprise_lel_percent:g}%LEL；取严: {limit:.1f}%LEL（{source}）"
    )
    return Limit(round(limit, 3), standard, text)


def judge(
    gas: str, lel_percent: float | None, o2_percent: float | None, policy: GasPolicy, enriched: bool = False
) -> tuple[bool, str]:
    """Within limits? With the reason in words (for the lock, the history and the analysis record)."""
    problems = []
    if lel_percent is not None:
        limit = lel_limit(gas, policy)
        vol = vol_from_lel(lel_percent, float(gases()[gas]["lel_vol_percent"]))
        if lel_percent > limit.lel_percent:
            problems.append(f"{gas} {lel_percent:g}%LEL（{vol:.2f}% v/v）超过 {limit.lel_percent:g}%LEL")
    if o2_percent is not None:
        high = policy.oxygen_enriched_max_percent if enriched else policy.oxygen_max_percent
        if not policy.oxygen_min_percent <= o2_percent <= high:
            problems.append(f"氧含量 {o2_percent:g}% 不在 {policy.oxygen_min_percent:g}%～{high:g}% 之间")
    if problems:
        return False, "；".join(problems)
    return True, "合格"


async def register_detector(
    db: AsyncSession,
    area: Area,
    code: str,
    name: str,
    gas: str,
    kind: str,
    device: Device | None,
    scope_path: str,
) -> GasDetector:
    if gas not in gases():
        raise Invalid(f"未知气体 {gas}", code="gas_unknown")
    detector = GasDetector(
        code=code,
        name=name,
        site_id=area.site_id,
        area_id=area.id,
        gas=gas,
        kind=kind,
        device_id=device.id if device else None,
        scope_path=scope_path,
    )
    db.add(detector)
    await db.flush()
    return detector


async def issue_device_token(db: AsyncSession, device: Device) -> str:
    """A new bearer token for an edge node; shown once, stored as its SHA-256."""
    token = secrets.token_urlsafe(32)
    db.add(DeviceToken(device_id=device.id, token_hash=token_hash(token)))
    await db.flush()
    return token


async def device_for_token(db: AsyncSession, token: str | None, now: datetime) -> Device:
    if not token:
        raise Unauthorized("缺少设备令牌", code="device_token_missing")
    row = await db.scalar(select(DeviceToken).where(DeviceToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("设备令牌无效", code="device_token_invalid")
    device = await db.get(Device, row.device_id)
    if device is None:
        raise Unauthorized("设备不存在", code="device_token_invalid")
    device.last_seen_at = now
    return device


async def ingest(
    db: AsyncSession, device: Device, readings: Sequence[ReadingIn], now: datetime, policy: GasPolicy
) -> list[GasReading]:
    """Store readings from an edge node for the detectors it owns, each judged on arrival."""
    codes = {r.detector for r in readings}
    detectors = {
        d.code: d
        for d in await db.scalars(
            select(GasDetector).where(GasDetector.code.in_(codes), GasDetector.deleted_at.is_(None))
        )
    }
    seen = await _already_stored(db, list(detectors.values()), readings)
    rows = []
    for r in readings:
        detector = detectors.get(r.detector)
        if detector is None:
            raise NotFound(f"检测仪 {r.detector} 未登记", code="detector_unknown")
        if detector.device_id != device.id and detector.site_id != device.site_id:
            raise Forbidden(f"检测仪 {r.detector} 不属于本设备", code="detector_not_yours")
        if r.measured_at > now + timedelta(minutes=2):
            raise Invalid(f"检测时间 {r.measured_at.isoformat()} 晚于服务器时间", code="reading_in_future")
        key = (detector.id, r.measured_at, r.lel_percent, r.o2_percent)
        if key in seen:
            continue  # the edge resent a batch whose answer it never heard: the same reading, stored once
        seen.add(key)
        ok, _text = judge(detector.gas, r.lel_percent, r.o2_percent, policy)
        rows.append(
            GasReading(
                detector_id=detector.id,
                area_id=detector.area_id,
                measured_at=r.measured_at,
                received_at=now,
                gas=detector.gas,
                lel_percent=r.lel_percent,
                o2_percent=r.o2_percent,
                within_limits=ok,
            )
        )
    db.add_all(rows)
    await db.flush()
    return rows


async def _already_stored(
    db: AsyncSession, detectors: list[GasDetector], readings: Sequence[ReadingIn]
) -> set[tuple[uuid.UUID, datetime, float | None, float | None]]:
    """(detector, instant, values) of this batch's readings that the server already holds."""
    if not detectors or not readings:
        return set()
    instants = {r.measured_at for r in readings}
    found = await db.execute(
        select(
            GasReading.detector_id, GasReading.measured_at, GasReading.lel_percent, GasReading.o2_percent
        ).where(
            GasReading.detector_id.in_([d.id for d in detectors]),
            GasReading.measured_at >= min(instants),
            GasReading.measured_at <= max(instants),
        )
    )
    return {(d, m, lel, o2) for d, m, lel, o2 in found.all() if m in instants}


async def lock_state(db: AsyncSession, area_id: uuid.UUID, now: datetime, policy: GasPolicy) -> LockState:
    """Unlocked only when every detector bound to the area has watched the whole window within limits.

    Window = the last `lock_window_minutes`; a detector silent for more than
    `max_reading_gap_minutes` anywhere in it does not count as watching (§5.3.1 d: continuous).
    """
    window = timedelta(minutes=policy.lock_window_minutes)
    gap = timedelta(minutes=policy.max_reading_gap_minutes)
    detectors = list(
        await db.scalars(
            select(GasDetector).where(GasDetector.area_id == area_id, GasDetector.deleted_at.is_(None))
        )
    )
    minutes = policy.lock_window_minutes
    if not detectors:
        return LockState(
            locked=True,
            code="no_detector",
            reason="该区域未绑定气体检测仪，无法实时监测",
            detectors=[],
            window_minutes=minutes,
            checked_at=now,
        )
    since = now - window
    readings = list(
        await db.scalars(
            select(GasReading)
            .where(
                GasReading.detector_id.in_([d.id for d in detectors]),
                GasReading.measured_at >= since - gap,
                GasReading.measured_at <= now,
            )
            .order_by(GasReading.measured_at)
        )
    )
    states, reasons, unlock_at = [], [], None
    untrusted = await distrusted(db, detectors, now)
    for d in detectors:
        mine = [r for r in readings if r.detector_id == d.id]
        limit = lel_limit(d.gas, policy)
        bad = [r for r in mine if not r.within_limits and r.measured_at >= since]
        latest = mine[-1] if mine else None
        state = DetectorState(
            code=d.code,
            name=d.name,
            gas=d.gas,
            limit_lel_percent=limit.lel_percent,
            latest_lel_percent=latest.lel_percent if latest else None,
            latest_o2_percent=latest.o2_percent if latest else None,
            latest_at=latest.measured_at if latest else None,
            ok=False,
        )
        if bad:
            last_bad = bad[-1]
            reasons.append(f"{d.name}: {last_bad.measured_at:%H:%M} 读数 {last_bad.lel_percent}%LEL 超限")
            candidate = last_bad.measured_at + window
            unlock_at = max(unlock_at, candidate) if unlock_at else candidate
        elif d.id in untrusted:
            pass  # excluded: neither clears nor (without a bad reading) holds the lock
        elif (
            not mine or mine[0].measured_at > since + gap or latest is None or latest.measured_at < now - gap
        ):
            reasons.append(f"{d.name}: 近 {policy.lock_window_minutes} min 数据不连续")
        elif any(b.measured_at - a.measured_at > gap for a, b in itertools.pairwise(mine)):
            reasons.append(f"{d.name}: 数据中断超过 {policy.max_reading_gap_minutes} min")
        else:
            state.ok = True
        states.append(state)
    if all(d.id in untrusted for d in detectors):  # nothing trusted is left watching the area
        reasons.extend(f"{d.name}: {untrusted[d.id]}" for d in detectors)
    if reasons:
        return LockState(
            locked=True,
            code="gas_not_clear",
            reason="；".join(reasons),
            detectors=states,
            unlock_at=unlock_at,
            window_minutes=minutes,
            checked_at=now,
        )
    return LockState(
        locked=False,
        code="clear",
        reason="气体检测数据连续合格",
        detectors=states,
        window_minutes=minutes,
        checked_at=now,
    )
