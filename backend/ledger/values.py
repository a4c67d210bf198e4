"""Cell values as a ledger really holds them: dates in four notations, numbers as floats."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (the 1900 leap-year bug is before day 61)
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RANGE = re.compile(r"[至~～—]")


class BadValue(ValueError):
    pass


def text(value: object) -> str:
    """A cell as clean text: full-width → half-width, no surrounding spaces, floats without .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def excel_serial(serial: float) -> date:
    day = EXCEL_EPOCH + timedelta(days=int(serial))
    if not 1950 <= day.year <= 2100:
        raise BadValue(f"Excel 日期序号 {serial} 超出范围")
    return day


def parse_date(value: object) -> date | None:
    """2024-03-15, 2024/3/15, 2024年3月15日, 2024.3.15, 20240315, an Excel serial number
    (a date cell the sheet did not format), or a real date cell. "2021-03-15至2027-03-14"
    (a validity range) gives its end. Empty → None; anything else → BadValue."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial(value)
    raw = text(value)
    if not raw or raw in ("-", "/", "无", "长期"):
        return None
    parts = _RANGE.split(raw)
    if len(parts) == 2 and parts[1].strip():
        raw = parts[1].strip()
    if raw.replace(".", "", 1).isdigit() and len(raw.split(".")[0]) == 5:
        return excel_serial(float(raw))
    match = _YMD.match(raw) or _COMPACT.match(raw)
    if not match:
        raise BadValue(f"无法识别的日期 {raw}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise BadValue(f"不存在的日期 {raw}") from None
