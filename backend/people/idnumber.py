"""Resident ID numbers (GB 11643-1999): validation, 15→18 conversion, masking."""

from __future__ import annotations

from datetime import date

from backend.core.errors import Invalid

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"  # MOD 11-2: remainder → check character
# Province-level codes (GB/T 2260), first two digits.
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_MAP[total % 11]


def normalise(raw: str) -> str:
    """A valid 18-character number with upper-case X, or `Invalid` saying what is wrong."""
    value = raw.strip().replace(" ", "").upper()
    if len(value) == 15 and value.isdigit():
        body = value[:6] + "19" + value[6:]  # 15-digit numbers were issued to people born 19xx
        value = body + check_char(body)
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise Invalid("身份证号须为18位（或15位旧号）", code="id_number_format")
    if int(value[:2]) not in PROVINCES:
        raise Invalid("身份证号的省级行政区划代码无效", code="id_number_region")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise Invalid("身份证号中的出生日期无效", code="id_number_birth_date") from None
    if born.year < 1900 or born > date.today():
        raise Invalid("身份证号中的出生日期无效", code="id_number_birth_date")
    if check_char(value[:17]) != value[17]:
        raise Invalid("身份证号校验码错误", code="id_number_checksum")
    return value


def birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def mask(number: str) -> str:
    """First 4 and last 4 shown: 3201**********123X."""
    return number[:4] + "*" * 10 + number[-4:]
