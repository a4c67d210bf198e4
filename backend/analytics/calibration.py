"""Gas-detector calibration records (entered or imported from CSV), each detector's standing,
and the hook that leaves an overdue or out-of-tolerance detector out of the live gas lock."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics.indicators import specs
from backend.analytics.models import DetectorCalibration
from backend.analytics.schemas import CalibrationIn, CalibrationOut, DetectorStateOut
from backend.audit import service as audit
from backend.auth.principal import Principal
from backend.core.errors import Invalid, NotFound
from backend.gas import service as gas
from backend.gas.models import GasDetector

POLICY = Path(__file__).resolve().parent / "data" / "calibration.json"
# Who enters calibrations: the people who keep the instruments (仪表/安全) and their managers.
CALIBRATORS = frozenset({"safety_officer", "inspector", "workshop_director", "admin"})
CSV_COLUMNS = (
    "detector_code",
    "calibrated_at",
    "reference_gas",
    "reference_value",
    "reading",
    "unit",
    "technician",
)
MAX_CSV_ROWS = 5000
Flag = Literal["never_calibrated", "overdue", "out_of_tolerance"] | None


def tolerance() -> float:
    return float(specs()["calibration_deviation"].params.get("tolerance_percent", 2))


def max_age() -> timedelta:
    return timedelta(days=float(specs()["detectors_calibrated_rate"].params.get("max_age_days", 7)))


def deviation(reference: float, reading: float) -> float:
    return round((reading - reference) / reference * 100.0, 2)


def calibration_out(c: DetectorCalibration, code: str) -> CalibrationOut:
    return CalibrationOut(
        id=c.id,
        detector_id=c.detector_id,
        detector_code=code,
        calibrated_at=c.calibrated_at,
        reference_gas=c.reference_gas,
        reference_value=c.reference_value,
        reading=c.reading,
        unit=c.unit,
        deviation_percent=c.deviation_percent,
        within_tolerance=abs(c.deviation_percent) <= tolerance(),
        technician=c.technician,
        note=c.note,
    )


async def _detector(db: AsyncSession, who: Principal, detector_id: uuid.UUID) -> GasDetector:
    d = await db.get(GasDetector, detector_id)
    if d is None or d.deleted_at is not None:
        raise NotFound("气体检测仪不存在", code="detector_unknown")
    who.require(CALIBRATORS, d.scope_path)
    return d


async def record(
    db: AsyncSession, who: Principal, data: CalibrationIn, now: datetime, detector: GasDetector | None = None
) -> CalibrationOut:
    """Store one calibration; future-dated entries are refused (a record of what was done)."""
    d = detector or await _detector(db, who, data.detector_id)
    if data.calibrated_at > now + timedelta(minutes=5):
        raise Invalid("校准时间不能在将来", code="time_in_future")
    c = DetectorCalibration(
        detector_id=d.id,
        calibrated_at=data.calibrated_at,
        reference_gas=data.reference_gas.strip(),
        reference_value=data.reference_value,
        reading=data.reading,
        unit=data.unit,
        deviation_percent=deviation(data.reference_value, data.reading),
        technician=data.technician.strip(),
        recorded_by=who.person_id,
        scope_path=d.scope_path,
        note=data.note,
    )
    db.add(c)
    await db.flush()
    await audit.record(
        db,
        now,
        action="analytics.calibration_recorded",
        entity="gas_detector",
        entity_id=d.id,
        actor_id=who.person_id,
        details={
            "code": d.code,
            "deviation_percent": f"{c.deviation_percent:.2f}",
            "technician": c.technician,
        },
    )
    return calibration_out(c, d.code)


async def import_csv(db: AsyncSession, who: Principal, text: str, now: datetime) -> int:
    """Import a calibration report (CSV, header row = CSV_COLUMNS). All rows or none: the first
    bad row raises with its line number and the transaction rolls back."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(f"CSV 缺少列: {', '.join(missing)}", code="csv_columns")
    rows = list(reader)
    if not rows:
        raise Invalid("CSV 没有数据行", code="csv_empty")
    if len(rows) > MAX_CSV_ROWS:
        raise Invalid(f"CSV 最多 {MAX_CSV_ROWS} 行", code="csv_too_long")
    codes = {r["detector_code"] for r in rows}
    detectors = {d.code: d for d in await db.scalars(select(GasDetector).where(GasDetector.code.in_(codes)))}
    for line, row in enumerate(rows, start=2):
        d = detectors.get(row["detector_code"])
        if d is None or d.deleted_at is not None:
            raise Invalid(f"第 {line} 行: 检测仪 {row['detector_code']} 不存在", code="csv_detector_unknown")
        who.require(CALIBRATORS, d.scope_path)
        try:
            data = msgspec.convert(
                {
                    "detector_id": str(d.id),
                    "calibrated_at": row["calibrated_at"],
                    "reference_gas": row["reference_gas"],
                    "reference_value": float(row["reference_value"]),
                    "reading": float(row["reading"]),
                    "unit": row["unit"],
                    "technician": row["technician"],
                    "note": row.get("note") or "",
                },
                CalibrationIn,
            )
        except (msgspec.ValidationError, ValueError, TypeError) as exc:
            raise Invalid(f"第 {line} 行: {exc}", code="csv_row_invalid") from exc
        await record(db, who, data, now, d)
    return len(rows)


async def history(
    db: AsyncSession, who: Principal, detector_id: uuid.UUID, limit: int
) -> list[CalibrationOut]:
    d = await _detector(db, who, detector_id)
    rows = await db.scalars(
        select(DetectorCalibration)
        .where(DetectorCalibration.detector_id == d.id)
        .order_by(DetectorCalibration.calibrated_at.desc())
        .limit(limit)
    )
    return [calibration_out(c, d.code) for c in rows]


async def standings(
    db: AsyncSession, detectors: Sequence[GasDetector], now: datetime
) -> list[DetectorStateOut]:
    """Each detector's latest calibration and its flag (never calibrated / overdue / out of tolerance)."""
    ids = [d.id for d in detectors]
    latest_at = (
        select(DetectorCalibration.detector_id, func.max(DetectorCalibration.calibrated_at).label("at"))
        .where(DetectorCalibration.detector_id.in_(ids), DetectorCalibration.calibrated_at <= now)
        .group_by(DetectorCalibration.detector_id)
        .subquery()
    )
    latest = {
        c.detector_id: c
        for c in await db.scalars(
            select(DetectorCalibration).join(
                latest_at,
                (DetectorCalibration.detector_id == latest_at.c.detector_id)
                & (DetectorCalibration.calibrated_at == latest_at.c.at),
            )
        )
    }
    out = []
    for d in detectors:
        c = latest.get(d.id)
        flag: Flag = (
            "never_calibrated"
            if c is None
            else "overdue"
            if c.calibrated_at < now - max_age()
            else "out_of_tolerance"
            if abs(c.deviation_percent) > tolerance()
            else None
        )
        out.append(
            DetectorStateOut(
                detector_id=d.id,
                code=d.code,
                name=d.name,
                last_calibrated_at=c.calibrated_at if c else None,
                last_deviation_percent=c.deviation_percent if c else None,
                flag=flag,
            )
        )
    return out


FLAG_TEXT: dict[str, str] = {
    "never_calibrated": "无校准记录",
    "overdue": "校准已过期",
    "out_of_tolerance": "校准偏差超出允许范围",
}


async def distrust(db: AsyncSession, detectors: Sequence[GasDetector], now: datetime) -> dict[uuid.UUID, str]:
    """The gas lock hook: detectors overdue or out of tolerance (never-calibrated ones are left to
    the lock as before, so a site that does not record calibrations here is not locked out)."""
    return {
        s.detector_id: FLAG_TEXT[s.flag]
        for s in await standings(db, detectors, now)
        if s.flag is not None and s.flag != "never_calibrated"
    }


def install() -> None:
    """Register the gas-lock hook when the policy says so (idempotent: create_app runs per test)."""
    if json.loads(POLICY.read_text("utf-8")).get("exclude_from_gas_lock") and distrust not in gas.DISTRUST:
        gas.DISTRUST.append(distrust)
