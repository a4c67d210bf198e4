"""Root-cause analysis against the database: a detector's readings and its site's SCADA series
over the last days, the finding, the evidence plot; SCADA CSV import; equipment tags and fixes."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics import plot, rootcause
from backend.analytics.calibration import CALIBRATORS
from backend.analytics.models import DetectorTag, ScadaSample
from backend.analytics.schemas import (
    DetectorTagIn,
    DetectorTagOut,
    EpisodeOut,
    EvidenceOut,
    RootCauseOut,
    ScadaImportOut,
    WindowOut,
)
from backend.analytics.service import ANALYSTS
from backend.audit import service as audit
from backend.auth.principal import Principal
from backend.core.errors import Invalid, NotFound
from backend.gas import units
from backend.gas.models import GasDetector, GasReading
from backend.org.models import OrgUnit

TAG_LABELS = {
    "vibration_interference": {"zh-CN": "设备振动干扰", "en": "Equipment vibration interference"},
    "electrical_interference": {"zh-CN": "电磁干扰", "en": "Electrical interference"},
    "sensor_drift": {"zh-CN": "传感器漂移", "en": "Sensor drift"},
    "genuine_leak": {"zh-CN": "真实泄漏", "en": "Genuine leak"},
    "other": {"zh-CN": "其他", "en": "Other"},
}
SCADA_MAX_ROWS = 200_000


async def detector_for(db: AsyncSession, who: Principal, detector_id: uuid.UUID) -> GasDetector:
    d = await db.get(GasDetector, detector_id)
    if d is None or d.deleted_at is not None:
        raise NotFound("气体检测仪不存在", code="detector_unknown")
    who.require(ANALYSTS | CALIBRATORS, d.scope_path)
    return d


async def run(
    db: AsyncSession, d: GasDetector, since: datetime, until: datetime, utc_offset: timedelta
) -> rootcause.Analysis:
    rows = await db.execute(
        select(GasReading.measured_at, GasReading.lel_percent).where(
            GasReading.detector_id == d.id,
            GasReading.measured_at >= since,
            GasReading.measured_at < until,
            GasReading.lel_percent.is_not(None),
        )
    )
    # Stored as %LEL (what the edge node uplinks); analysed in the unit the gas is read in, so that
    # 28 ppm H₂S (0.07 %LEL) is a rise of 28 against the 2-unit floor, not of 0.07.
    readings = [(at, round(units.from_lel(d.gas, float(v)), 4)) for at, v in rows if v is not None]
    scada: dict[str, list[tuple[datetime, float]]] = {}
    for tag, at, value in await db.execute(
        select(ScadaSample.tag, ScadaSample.at, ScadaSample.value)
        .where(ScadaSample.site_id == d.site_id, ScadaSample.at >= since, ScadaSample.at < until)
        .order_by(ScadaSample.tag, ScadaSample.at)
    ):
        scada.setdefault(tag, []).append((at, value))
    return rootcause.analyse(readings, scada, since, until, utc_offset, unit=units.unit_of(d.gas))


def root_cause_out(d: GasDetector, a: rootcause.Analysis, since: datetime, until: datetime) -> RootCauseOut:
    vibrating = any("vibration" in e.tag.lower() or "振动" in e.tag for e in a.evidence)
    suggested = (
        ("vibration_interference" if vibrating else "other")
        if a.verdict == "interference"
        else "genuine_leak"
        if a.verdict == "possible_leak"
        else None
    )
    return RootCauseOut(
        detector_id=d.id,
        code=d.code,
        gas=d.gas,
        unit=a.unit,
        since=since,
        until=until,
        verdict=a.verdict,
        finding=a.finding,
        suggested_tag=suggested,
        baseline=a.baseline,
        threshold=a.threshold,
        windows=[WindowOut(w.start, w.end, w.days_with, w.days_total) for w in a.windows],
        evidence=[
            EvidenceOut(e.tag, e.active_in_anomaly, e.active_otherwise, e.mean_in_anomaly, e.correlation)
            for e in a.evidence
        ],
        episodes=[
            EpisodeOut(since + e.start * rootcause.BIN, since + (e.end + 1) * rootcause.BIN, e.peak, e.shape)
            for e in a.episodes
        ],
    )


async def analyse_detector(
    db: AsyncSession, who: Principal, detector_id: uuid.UUID, days: int, now: datetime, utc_offset: timedelta
) -> RootCauseOut:
    d = await detector_for(db, who, detector_id)
    since = now - timedelta(days=days)
    return root_cause_out(d, await run(db, d, since, now, utc_offset), since, now)


async def evidence_png(
    db: AsyncSession, who: Principal, detector_id: uuid.UUID, days: int, now: datetime, utc_offset: timedelta
) -> bytes:
    d = await detector_for(db, who, detector_id)
    since = now - timedelta(days=days)
    a = await run(db, d, since, now, utc_offset)
    scada: dict[str, list[float | None]] = {}
    if a.evidence:
        tag = a.evidence[-1].tag
        rows = await db.execute(
            select(ScadaSample.at, ScadaSample.value).where(
                ScadaSample.site_id == d.site_id,
                ScadaSample.tag == tag,
                ScadaSample.at >= since,
                ScadaSample.at < now,
            )
        )
        series = [(at, v) for at, v in rows]
        scada[tag] = rootcause.filled(rootcause.binned(series, since, len(a.bins), "mean"))
    return plot.evidence_png(d.code, a, scada, utc_offset)


async def import_scada(db: AsyncSession, who: Principal, site_id: uuid.UUID, text: str) -> ScadaImportOut:
    """SCADA series as CSV (tag,at,value); all rows or none."""
    site = await db.get(OrgUnit, site_id)
    if site is None or site.kind != "site":
        raise NotFound("厂区不存在", code="unit_unknown")
    who.require(ANALYSTS | CALIBRATORS, site.path)
    reader = csv.DictReader(io.StringIO(text))
    if not {"tag", "at", "value"} <= set(reader.fieldnames or []):
        raise Invalid("CSV 须有列 tag, at, value", code="csv_columns")
    rows: list[dict[str, Any]] = []
    tags: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if len(rows) >= SCADA_MAX_ROWS:
            raise Invalid(f"CSV 最多 {SCADA_MAX_ROWS} 行", code="csv_too_long")
        try:
            tag = (row["tag"] or "").strip()
            at = datetime.fromisoformat((row["at"] or "").strip())
            value = float(row["value"])
        except (TypeError, ValueError) as exc:
            raise Invalid(f"第 {line} 行: {exc}", code="csv_row_invalid") from exc
        if not 0 < len(tag) <= 64 or at.tzinfo is None or value != value:
            raise Invalid(f"第 {line} 行: 标签、带时区的时间或数值无效", code="csv_row_invalid")
        rows.append({"id": uuid.uuid4(), "site_id": site.id, "tag": tag, "at": at, "value": value})
        tags.add(tag)
    if not rows:
        raise Invalid("CSV 没有数据行", code="csv_empty")
    for start in range(0, len(rows), 5000):
        await db.execute(insert(ScadaSample), rows[start : start + 5000])
    return ScadaImportOut(imported=len(rows), tags=sorted(tags))


def tag_out(t: DetectorTag) -> DetectorTagOut:
    return DetectorTagOut(
        id=t.id,
        detector_id=t.detector_id,
        tag=t.tag,
        label=TAG_LABELS[t.tag],
        finding=t.finding,
        fix=t.fix,
        recorded_by=t.recorded_by,
        recorded_at=t.recorded_at,
    )


async def add_tag(
    db: AsyncSession, who: Principal, detector_id: uuid.UUID, data: DetectorTagIn, now: datetime
) -> DetectorTagOut:
    d = await detector_for(db, who, detector_id)
    t = DetectorTag(
        detector_id=d.id,
        tag=data.tag,
        finding=data.finding,
        fix=data.fix,
        recorded_by=who.person_id,
        recorded_at=now,
    )
    db.add(t)
    await db.flush()
    await audit.record(
        db,
        now,
        action="analytics.detector_tagged",
        entity="gas_detector",
        entity_id=d.id,
        actor_id=who.person_id,
        details={"tag": data.tag, "fix": data.fix[:200]},
    )
    return tag_out(t)


async def tags_of(db: AsyncSession, who: Principal, detector_id: uuid.UUID) -> list[DetectorTagOut]:
    d = await detector_for(db, who, detector_id)
    rows = await db.scalars(
        select(DetectorTag).where(DetectorTag.detector_id == d.id).order_by(DetectorTag.recorded_at.desc())
    )
    return [tag_out(t) for t in rows]
