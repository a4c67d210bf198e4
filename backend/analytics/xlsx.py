"""The dashboard as a workbook: indicators, their trends, and one sheet of records per indicator."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.analytics.indicators import specs
from backend.analytics.service import Scope, evaluate
from backend.analytics.view_text import STATUS_ZH


def _naive(value: object) -> object:
    """openpyxl refuses timezone-aware datetimes; cells hold UTC."""
    tz = getattr(value, "tzinfo", None)
    return value.replace(tzinfo=None) if tz is not None else value  # type: ignore[attr-defined]


def workbook(scope: Scope) -> bytes:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "指标 Indicators"
    summary.append([f"{scope.unit.name} {scope.unit.path}", "UTC", _naive(scope.since), _naive(scope.until)])
    header = [
        "key",
        "指标",
        "indicator",
        "family",
        "unit",
        "op",
        "target",
        "value",
        "状态",
        "numerator",
        "denominator",
    ]
    summary.append(header)
    trend = wb.create_sheet("趋势 Trend")
    trend.append(["key", "start (UTC)", "end (UTC)", "value"])
    for key, spec in specs().items():
        out, result = evaluate(scope, key)
        summary.append(
            [
                key,
                spec.label.get("zh-CN", key),
                spec.label.get("en", key),
                spec.family,
                spec.unit,
                spec.op,
                spec.target,
                out.value,
                STATUS_ZH[out.status],
                out.numerator,
                out.denominator,
            ]
        )
        for p in out.trend:
            trend.append([key, _naive(p.start), _naive(p.end), p.value])
        sheet = wb.create_sheet(key[:31])
        sheet.append(["kind", "id", "at (UTC)", "label", "value", "flagged"])
        for r in sorted(result.records, key=lambda r: (not r.flagged, r.at.timestamp() if r.at else 0)):
            sheet.append([r.kind, str(r.id), _naive(r.at), r.label, r.value, "是" if r.flagged else ""])
        sheet["A1"].font = Font(bold=True)
    for cell in summary[2]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
