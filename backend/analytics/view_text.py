"""How figures read in exports (xlsx, PDF): status words and values with their unit."""

from __future__ import annotations

STATUS_ZH = {"ok": "达标", "breach": "未达标", "no_data": "无数据"}


def value_text(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "count":
        return str(round(value))
    return f"{value:g} {unit}"
