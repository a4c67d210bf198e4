"""Authenticity checks on extracted fields, each with a reason, and the green/amber/red verdict.

red: the card contradicts itself or the worker (bad check digit, another person's ID, dates out of
order, the same photo on another worker's scan). amber: something a reviewer should look at
(field unread, unknown item, authority off pattern, validity length off the family's rule, expired).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from backend.catalog.models import Catalog
from backend.catalog.service import rule_at
from backend.core.errors import Invalid
from backend.media.extract import Extraction
from backend.media.labels import AUTHORITY_PATTERNS
from backend.people import idnumber
from backend.workers.certificates_part import CertificateInput, check_dates
from backend.workers.deadlines_part import add_years
from backend.workers.numbers_part import check_number

REQUIRED = ("family", "id_number", "number", "item_key", "valid_until")
LOW_CONFIDENCE = 0.8


@dataclass(frozen=True)
class Check:
    code: str
    level: str  # ok | info (a note that neither passes nor fails) | amber | red
    reason: str


def verdict(checks: list[Check]) -> str:
    """red if any check is red, amber if any is amber, else green (notes do not count)."""
    levels = {c.level for c in checks}
    return "red" if "red" in levels else "amber" if "amber" in levels else "green"


def _d(ex: Extraction, key: str) -> date | None:
    fv = ex.fields.get(key)
    return date.fromisoformat(fv.value) if fv else None


def run_checks(
    ex: Extraction,
    catalog: Catalog,
    today: date,
    holder_id: str | None = None,
    reused_by_other: bool = False,
) -> list[Check]:
    """Every check that applies to what was read; `holder_id` is the worker's own ID number."""
    out: list[Check] = []
    f = ex.fields
    for key in REQUIRED:
        if key not in f:
            out.append(Check(f"{key}_unread", "amber", f"未识别到 {key}，请人工填写"))
    low = sorted(k for k, v in f.items() if v.confidence < LOW_CONFIDENCE)
    if low:
        out.append(Check("low_confidence", "amber", f"识别置信度低: {', '.join(low)}"))
    if "id_number" in f:
        try:
            ident = idnumber.normalise(f["id_number"].value)
            out.append(Check("id_checksum", "ok", "身份证号校验码正确"))
            if holder_id and ident != holder_id:
                out.append(Check("id_mismatch", "red", "证上身份证号与该作业人员不符"))
        except Invalid as exc:
            out.append(Check(exc.code, "red", exc.detail))
    it = catalog.items.get(f["item_key"].value) if "item_key" in f else None
    if it is not None:
        out.append(Check("item_known", "ok", f"准操项目 {it.name} 在目录中"))
    elif "item_key" not in f and ex.family:
        out.append(Check("item_unknown", "amber", "准操项目未能对应到目录"))
    if it is not None and "number" in f:
        owner = holder_id or (f["id_number"].value if "id_number" in f else "")
        try:
            check_number(catalog, it, f["number"].value, owner)
            out.append(Check("number_format", "ok", "证书编号格式符合该类证书"))
        except Invalid as exc:
            level = "red" if exc.code in ("mem_number_mismatch", "mohurd_type_mismatch") else "amber"
            out.append(Check(exc.code, level, exc.detail))
    out += _date_checks(ex, catalog, today, it)
    authority = f.get("authority")
    if authority and ex.family in AUTHORITY_PATTERNS:
        ok = re.match(AUTHORITY_PATTERNS[ex.family], authority.value) is not None
        out.append(
            Check("authority_pattern", "ok", "发证机关名称符合")
            if ok
            else Check("authority_pattern", "amber", f"发证机关“{authority.value}”不像该类证书的发证机关")
        )
    if reused_by_other:
        out.append(Check("photo_reused", "red", "同一张证书照片已被另一名作业人员使用"))
    return out


def _date_checks(ex: Extraction, catalog: Catalog, today: date, it: object) -> list[Check]:
    out: list[Check] = []
    start, until, first = _d(ex, "valid_from"), _d(ex, "valid_until"), _d(ex, "first_issued_on")
    if start is None or until is None or ex.family is None:
        return out
    if it is not None:
        try:
            data = CertificateInput(
                item_key="", number="", issued_on=start, valid_until=until, first_issued_on=first
            )
            check_dates(catalog, it, data, today)  # type: ignore[arg-type]
        except Invalid as exc:
            return [Check(exc.code, "red", exc.detail)]
    rule = rule_at(catalog, ex.family, start)
    expected = add_years(start, rule.validity_years)
    extended = add_years(start, rule.validity_years + rule.expiry_extends_years)
    if min(abs((until - expected).days), abs((until - extended).days)) > 31:
        years = rule.validity_years
        out.append(Check("validity_length", "amber", f"有效期长度与该类证书规定（{years} 年）不符"))
    else:
        out.append(Check("validity_length", "ok", "有效期长度符合规定"))
    if until < today:
        out.append(Check("expired", "amber", f"证书已于 {until} 过期"))
    return out
