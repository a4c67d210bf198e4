"""The monthly PDF report (fpdf2, CJK font as in backend/permits/pdf.py): every indicator with its
threshold and status, the worst units, and the behaviour heatmap of the month.

The figures are gathered on the event loop (database reads); the PDF and the heatmap picture are
drawn in a worker thread, so the loop keeps serving other requests while a report renders."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics import heatmap as heatmaps
from backend.analytics.indicators import COMPUTE, specs
from backend.analytics.service import Scope, children, evaluate, status_of
from backend.analytics.view_text import STATUS_ZH, value_text
from backend.permits.pdf import CjkFontMissing, cjk_font


@dataclass(frozen=True)
class ReportData:
    """Everything the PDF shows, as plain values: drawn without the database."""

    unit_name: str
    unit_code: str
    since: datetime
    until: datetime
    offset: timedelta
    rows: list[tuple[list[str], bool]]  # table cells, in breach?
    breaches: list[str]
    heatmap: dict[str, Any]


async def monthly_pdf(db: AsyncSession, scope: Scope, offset: timedelta, night: tuple[int, int]) -> bytes:
    font = cjk_font()
    if font is None:
        raise CjkFontMissing("服务器未安装中文字体（fonts-noto-cjk），无法生成 PDF", code="cjk_font_missing")
    data = await gather(db, scope, offset, night)
    return await asyncio.to_thread(render, data, font)  # CPU work: off the event loop


async def gather(db: AsyncSession, scope: Scope, offset: timedelta, night: tuple[int, int]) -> ReportData:
    rows = []
    for spec in specs().values():
        out, _ = evaluate(scope, spec.key, with_trend=False)
        basis = (
            f"{out.numerator:g}/{out.denominator:g}"
            if out.numerator is not None and out.denominator
            else (f"n={out.denominator:g}" if out.denominator else "")
        )
        threshold = f"{'≤' if spec.op == 'le' else '≥'} {value_text(spec.target, spec.unit)}"
        cells = [
            spec.label["zh-CN"],
            value_text(out.value, spec.unit),
            threshold,
            STATUS_ZH[out.status],
            basis,
        ]
        rows.append((cells, out.status == "breach"))
    kids = await children(db, scope.unit)
    split = scope.facts.split(lambda d: [k.path for k in kids if d.path.startswith(k.path)])
    breaches = []
    for key, spec in specs().items():
        for kid in kids:
            if kid.path not in split:
                continue
            r = COMPUTE[key](split[kid.path], scope.since, scope.until, spec)
            if status_of(spec, r.value) == "breach":
                breaches.append(f"· {spec.label['zh-CN']}：{kid.name} {value_text(r.value, spec.unit)}")
    data = await heatmaps.heatmap(db, scope, "all", offset, night)
    return ReportData(
        scope.unit.name, scope.unit.code, scope.since, scope.until, offset, rows, breaches, data
    )


def render(data: ReportData, font: tuple[Path, int]) -> bytes:
    doc = FPDF(format="A4")
    doc.set_auto_page_break(True, margin=15)
    doc.add_font("cjk", fname=str(font[0]), collection_font_number=font[1])
    doc.add_page()
    doc.set_font("cjk", size=16)
    local = (data.since + data.offset, data.until + data.offset)
    hours = data.offset.total_seconds() / 3600
    doc.cell(0, 10, f"效能分析月报 · {data.unit_name}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    doc.cell(
        0,
        6,
        f"统计周期 {local[0]:%Y-%m-%d %H:%M} — {local[1]:%Y-%m-%d %H:%M}（UTC{hours:+.0f}）",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(2)
    widths = [62, 28, 28, 22, 50]
    doc.set_fill_color(243, 244, 246)
    for h, w in zip(["指标", "数值", "阈值", "状态", "依据"], widths, strict=True):
        doc.cell(w, 7, h, border=1, fill=True, align="C")
    doc.ln()
    for cells, breach in data.rows:
        doc.set_text_color(201, 42, 42) if breach else doc.set_text_color(29, 35, 48)
        for text, w in zip(cells, widths, strict=True):
            doc.cell(w, 7, text, border=1)
        doc.ln()
    doc.set_text_color(29, 35, 48)
    doc.ln(3)
    doc.set_font("cjk", size=12)
    doc.cell(0, 8, "未达标指标的下级单元", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    for line in data.breaches:
        doc.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    doc.add_page()
    doc.set_font("cjk", size=12)
    doc.cell(
        0,
        8,
        f"行为合规热力图（违章 {data.heatmap['total']} 起，按小时 × 工种与平面位置）",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.image(io.BytesIO(heatmaps.heatmap_png(data.heatmap, data.unit_code)), w=doc.epw)
    return bytes(doc.output())
