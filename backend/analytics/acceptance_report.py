"""The 72-hour acceptance test of a new gas detector against the database: its readings,
calibrations and alarms since commissioning, the verdict as JSON and as a printable PDF."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import msgspec
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms.models import Alarm
from backend.analytics import acceptance
from backend.analytics.diagnosis import detector_for
from backend.analytics.models import DetectorCalibration
from backend.analytics.schemas import AcceptanceCheckOut, AcceptanceOut
from backend.auth.principal import Principal
from backend.core.errors import Invalid
from backend.gas.models import GasDetector, GasReading
from backend.permits.pdf import CjkFontMissing, cjk_font

GAS_ALARMS = ("gas_over_limit",)
VERDICT_ZH = {"pass": "通过", "fail": "不通过", "in_progress": "进行中"}


async def acceptance_of(
    db: AsyncSession,
    who: Principal,
    detector_id: uuid.UUID,
    now: datetime,
    commissioned_at: datetime | None = None,
    interval_s: float | None = None,
) -> AcceptanceOut:
    """Commissioning = `commissioned_at`, or the detector's first reading when not given."""
    d = await detector_for(db, who, detector_id)
    rules = acceptance.criteria()
    if commissioned_at is None:
        commissioned_at = await db.scalar(
            select(func.min(GasReading.measured_at)).where(GasReading.detector_id == d.id)
        )
        if commissioned_at is None:
            raise Invalid("该检测仪尚无读数，请给出投用时间", code="acceptance_no_data")
    elif commissioned_at.tzinfo is None:
        raise Invalid("投用时间须带时区", code="time_naive")
    if commissioned_at > now:
        raise Invalid("投用时间晚于当前时间", code="acceptance_not_started")
    end = commissioned_at + timedelta(hours=rules["duration_hours"])
    rows = await db.execute(
        select(GasReading.measured_at, GasReading.lel_percent, GasReading.o2_percent).where(
            GasReading.detector_id == d.id,
            GasReading.measured_at >= commissioned_at,
            GasReading.measured_at < end,
        )
    )
    rows_list = rows.all()
    o2 = any(lel is None and o2v is not None for _, lel, o2v in rows_list)  # an oxygen detector
    readings = [(at, v) for at, lel, o2v in rows_list if (v := o2v if o2 else lel) is not None]
    cals = await db.execute(
        select(DetectorCalibration.calibrated_at, DetectorCalibration.deviation_percent).where(
            DetectorCalibration.detector_id == d.id,
            DetectorCalibration.calibrated_at
            >= commissioned_at - timedelta(days=rules["calibration_lookback_days"]),
            DetectorCalibration.calibrated_at < end,
        )
    )
    alarms = 0
    for detail in await db.scalars(
        select(Alarm.detail).where(
            Alarm.site_id == d.site_id,
            Alarm.kind.in_(GAS_ALARMS),
            Alarm.raised_at >= commissioned_at,
            Alarm.raised_at < min(end, now),
        )
    ):
        alarms += 1 if (detail or {}).get("detector") == d.code else 0
    a = acceptance.assess(
        readings,
        commissioned_at,
        now,
        [(at, dev) for at, dev in cals],
        alarms,
        o2=o2,
        interval_s=interval_s,
        rules=rules,
    )
    return _out(d, a)


def _out(d: GasDetector, a: acceptance.Assessment) -> AcceptanceOut:
    return AcceptanceOut(
        detector_id=d.id,
        code=d.code,
        gas=d.gas,
        commissioned_at=a.start,
        window_end=a.end,
        interval_s=a.interval_s,
        verdict=a.verdict,  # type: ignore[arg-type]
        reasons=a.reasons,
        expected_samples=a.expected_samples,
        received_samples=a.received_samples,
        completeness_percent=a.completeness_percent,
        longest_gap_s=a.longest_gap_s,
        longest_gap_at=a.longest_gap_at,
        dropouts=a.dropouts,
        noise=a.noise,
        zero_drift=a.zero_drift,
        out_of_range=a.out_of_range,
        alarms=a.alarms,
        calibrations=a.calibrations,
        calibration_deviation_percent=a.calibration_deviation_percent,
        calibration_drift_percent=a.calibration_drift_percent,
        checks=[msgspec.convert(c.__dict__, AcceptanceCheckOut) for c in a.checks],
    )


def pdf(report: AcceptanceOut, name: str, offset: timedelta) -> bytes:
    """The report to sign off (CPU work: the route runs it in a thread)."""
    font = cjk_font()
    if font is None:
        raise CjkFontMissing("服务器未安装中文字体（fonts-noto-cjk），无法生成 PDF", code="cjk_font_missing")
    doc = FPDF(format="A4")
    doc.set_auto_page_break(True, margin=15)
    doc.add_font("cjk", fname=str(font[0]), collection_font_number=font[1])
    doc.add_page()
    doc.set_font("cjk", size=16)
    doc.cell(0, 10, f"新设备72小时验收报告 · {report.code} {name}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    hours = offset.total_seconds() / 3600
    for line in (
        f"气体 {report.gas}；投用 {report.commissioned_at + offset:%Y-%m-%d %H:%M} — "
        f"{report.window_end + offset:%Y-%m-%d %H:%M}（UTC{hours:+.0f}）；采样周期 {report.interval_s:g} s",
        f"应收 {report.expected_samples} 条，实收 {report.received_samples} 条，"
        f"完整率 {report.completeness_percent:g}%；最长中断 {report.longest_gap_s / 60:.1f} 分钟",
    ):
        doc.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.set_font("cjk", size=14)
    red = report.verdict == "fail"
    doc.set_text_color(201, 42, 42) if red else doc.set_text_color(29, 35, 48)
    doc.cell(0, 9, f"结论：{VERDICT_ZH[report.verdict]}", new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(29, 35, 48)
    doc.set_font("cjk", size=10)
    widths = [48, 26, 26, 18, 72]
    doc.set_fill_color(243, 244, 246)
    for h, w in zip(["项目", "实测", "要求", "结果", "说明"], widths, strict=True):
        doc.cell(w, 7, h, border=1, fill=True, align="C")
    doc.ln()
    for c in report.checks:
        sign = "≤" if c.op == "le" else "≥"
        cells = [c.label["zh-CN"], "—" if c.value is None else f"{c.value:g}", f"{sign} {c.limit:g}",
                 "合格" if c.passed else "不合格", "" if c.passed else c.text["zh-CN"][-36:]]  # fmt: skip
        doc.set_text_color(29, 35, 48) if c.passed else doc.set_text_color(201, 42, 42)
        for text, w in zip(cells, widths, strict=True):
            doc.cell(w, 7, text, border=1)
        doc.ln()
    doc.set_text_color(29, 35, 48)
    if report.reasons:
        doc.ln(3)
        doc.set_font("cjk", size=12)
        doc.cell(0, 8, "不合格原因", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("cjk", size=10)
        for r in report.reasons:
            doc.multi_cell(0, 6, f"· {r['zh-CN']}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.cell(0, 6, "验收人：________________    日期：________________", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
