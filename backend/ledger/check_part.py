"""Row by row: what a ledger row says, checked against GB 11643, the catalogue and the dates.

No database writes happen here; the directory of units and contractors is loaded beforehand,
so checking 250k rows is pure Python.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from backend.catalog.models import Catalog, Item
from backend.catalog.service import current_items, find_items, rule_at
from backend.core.errors import Invalid
from backend.ledger.values import BadValue, parse_date, text
from backend.people import creditcode, idnumber
from backend.workers.certificates_part import CertificateInput, check_dates
from backend.workers.deadlines_part import add_years, plan_deadlines
from backend.workers.numbers_part import check_number, clean_number, mask_number

FAMILY_WORDS = (
    ("mem", ("应急", "安监", "安全生产监督", "特种作业操作证", "MEM")),
    ("mohurd", ("住建", "住房", "建设", "建筑施工", "MOHURD")),
    ("samr", ("市场监", "质监", "质量技术监督", "特种设备", "SAMR")),
)


@dataclass(frozen=True)
class RowError:
    row: int
    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class PersonRow:
    row: int
    name: str
    id_number: str
    phone: str | None
    unit_id: uuid.UUID
    unit_path: str
    contractor_id: uuid.UUID | None
    new_contractor: tuple[str, str] | None  # (name, credit code) to create


@dataclass(frozen=True)
class CertRow:
    row: int
    item: Item
    number: str
    authority: str
    first_issued_on: date | None
    issued_on: date
    valid_until: date
    last_reviewed_on: date | None
    item_limit: str | None


@dataclass
class Directory:
    """Units and contractors the rows may name, loaded once before checking."""

    units_by_code: dict[str, tuple[uuid.UUID, str]]  # code → (id, path)
    units_by_name: dict[str, list[tuple[uuid.UUID, str]]]
    contractors: dict[str, uuid.UUID]  # name → id
    contractor_codes: dict[str, uuid.UUID]  # credit code → id
    own_names: set[str]  # the enterprise's (and its units') names: "own employee"
    default_unit: tuple[uuid.UUID, str] | None
    allowed_paths: list[str] | None = None  # the importer's scopes (None: the CLI, everything)


@dataclass
class Checked:
    person: PersonRow
    cert: CertRow | None
    warnings: list[RowError] = field(default_factory=list)


class RowChecker:
    def __init__(self, catalog: Catalog, directory: Directory, today: date):
        self.catalog, self.dir, self.today = catalog, directory, today

    def check(self, row: int, cells: dict[str, object]) -> Checked | list[RowError]:
        errors: list[RowError] = []
        person = self._person(row, cells, errors)
        cert = self._cert(row, cells, person.id_number if person else None, errors)
        if errors or person is None:
            return errors
        checked = Checked(person, cert)
        claim = cells.get("next_review_on")
        if claim in (None, "") and cert is not None and cert.last_reviewed_on is None:
            claim = cells.get("reviewed_on")  # a future 复审日期 is the due date the ledger expects
        if cert is not None and claim not in (None, ""):
            self._compare_review(row, cert, claim, checked)
        return checked

    # ------------------------------------------------------------ person

    def _person(self, row: int, cells: dict[str, object], errors: list[RowError]) -> PersonRow | None:
        name = text(cells.get("name")).replace(" ", "")
        raw_id = text(cells.get("id_number"))
        if not name:
            errors.append(RowError(row, "missing_field", "缺少姓名", "name"))
        if not raw_id:
            errors.append(RowError(row, "missing_field", "缺少身份证号", "id_number"))
            return None
        try:
            number = idnumber.normalise(raw_id)
        except Invalid as exc:
            errors.append(RowError(row, exc.code, f"{exc.detail}：{_mask_raw(raw_id)}", "id_number"))
            return None
        if _age(number, self.today) < 18:
            errors.append(RowError(row, "age_under_18", "特种作业人员须年满18周岁", "id_number"))
        unit = self._unit(row, text(cells.get("unit")), errors)
        contractor, new = self._company(
            row, text(cells.get("company")), text(cells.get("credit_code")), errors
        )
        allowed = self.dir.allowed_paths
        if unit is not None and allowed is not None and not any(unit[1].startswith(p) for p in allowed):
            errors.append(RowError(row, "out_of_scope", "该班组/车间不在您的管理范围内", "unit"))
            return None
        if unit is None or not name:
            return None
        phone = text(cells.get("phone")).replace("-", "") or None
        return PersonRow(
            row, name[:64], number, phone[:20] if phone else None, unit[0], unit[1], contractor, new
        )

    def _unit(self, row: int, value: str, errors: list[RowError]) -> tuple[uuid.UUID, str] | None:
        if not value:
            if self.dir.default_unit is None:
                errors.append(
                    RowError(row, "unit_missing", "未指定班组/车间（导入时可指定默认单位）", "unit")
                )
            return self.dir.default_unit
        if value.upper() in self.dir.units_by_code:
            return self.dir.units_by_code[value.upper()]
        named = self.dir.units_by_name.get(value, [])
        if len(named) == 1:
            return named[0]
        errors.append(RowError(row, "unit_unknown", f"未知或不唯一的班组/车间：{value}", "unit"))
        return None

    def _company(
        self, row: int, name: str, credit: str, errors: list[RowError]
    ) -> tuple[uuid.UUID | None, tuple[str, str] | None]:
        if not name or name in self.dir.own_names:
            return None, None
        if name in self.dir.contractors:
            return self.dir.contractors[name], None
        code = credit.upper()
        if code and code in self.dir.contractor_codes:
            return self.dir.contractor_codes[code], None
        if code and creditcode.is_valid(code):
            return None, (name, code)
        errors.append(
            RowError(
                row,
                "contractor_unknown",
                f"未登记的外包单位：{name}（请先登记或填写统一社会信用代码）",
                "company",
            )
        )
        return None, None

    # ------------------------------------------------------------ certificate

    def _cert(
        self, row: int, cells: dict[str, object], holder: str | None, errors: list[RowError]
    ) -> CertRow | None:
        item_text, category = text(cells.get("item")), text(cells.get("category"))
        number_raw = text(cells.get("number"))
        if not (item_text or category or number_raw):
            return None  # a person without a certificate (a worker list)
        dates: dict[str, date | None] = {}
        for key in ("first_issued_on", "issued_on", "valid_until", "reviewed_on"):
            try:
                dates[key] = parse_date(cells.get(key))
            except BadValue as exc:
                errors.append(RowError(row, "date_invalid", str(exc), key))
        item = self._item(row, item_text or category, category, number_raw, cells, dates, errors)
        if item is None or len(errors) or holder is None:
            return None
        try:
            number = check_number(self.catalog, item, number_raw, holder)
        except Invalid as exc:
            errors.append(RowError(row, exc.code, exc.detail, "number"))
            return None
        rule = rule_at(self.catalog, item.family, dates["issued_on"] or dates["valid_until"] or self.today)
        issued, until = dates["issued_on"], dates["valid_until"]
        first_issued = dates["first_issued_on"]
        if issued is None and until is not None:
            issued = add_years(until, -rule.validity_years)
            if first_issued is not None and first_issued > issued:
                issued = first_issued  # first issued after the full term back: a shorter first term
        issued = issued or first_issued
        if issued is None:
            errors.append(RowError(row, "missing_field", "缺少发证日期或有效期", "valid_until"))
            return None
        reviewed = dates["reviewed_on"]
        if reviewed is not None and reviewed > self.today:
            reviewed = None  # a future "复审日期" is the due date the ledger expects, not a review done
        data = CertificateInput(
            item_key=item.key,
            number=number,
            issued_on=issued,
            valid_until=until,
            first_issued_on=dates["first_issued_on"],
            last_reviewed_on=reviewed,
        )
        try:
            valid_until, first = check_dates(self.catalog, item, data, self.today)
        except Invalid as exc:
            errors.append(RowError(row, exc.code, exc.detail, "valid_until"))
            return None
        future_review = parse_date(cells.get("reviewed_on")) if reviewed is None else None
        if future_review is not None and future_review > valid_until:
            errors.append(RowError(row, "dates_out_of_order", "复审日期晚于有效期", "reviewed_on"))
            return None
        authority = text(cells.get("authority"))[:120]
        limit = text(cells.get("item_limit"))[:64] or None
        return CertRow(row, item, number, authority, first, issued, valid_until, reviewed, limit)

    def _item(
        self,
        row: int,
        item_text: str,
        category: str,
        number: str,
        cells: dict[str, object],
        dates: dict[str, date | None],
        errors: list[RowError],
    ) -> Item | None:
        family = _family(text(cells.get("family")), clean_number(number))
        found = find_items(self.catalog, item_text, family=family, category=category or None)
        if not found and family is not None:  # the family column may be wrong; the item text decides
            found = find_items(self.catalog, item_text, category=category or None)
        on = dates.get("issued_on") or dates.get("valid_until") or self.today
        found = current_items(found, self.catalog, on)
        if not found:
            errors.append(RowError(row, "item_unknown", f"未知的准操项目：{item_text}", "item"))
            return None
        if len({i.key for i in found}) > 1:
            names = "、".join(f"{i.key}({i.name})" for i in found[:4])
            errors.append(RowError(row, "item_ambiguous", f"准操项目「{item_text}」不唯一：{names}", "item"))
            return None
        return found[0]

    def _compare_review(self, row: int, cert: CertRow, claim: object, checked: Checked) -> None:
        try:
            expected = parse_date(claim)
        except BadValue:
            return
        d = plan_deadlines(
            self.catalog, cert.item.family, cert.issued_on, cert.valid_until, cert.last_reviewed_on
        )
        if expected is not None and d.review_due_on is not None and expected != d.review_due_on:
            checked.warnings.append(
                RowError(
                    row,
                    "review_date_differs",
                    f"台账复审日期 {expected} 与规则计算的 {d.review_due_on} 不一致（按规则计算）",
                    "next_review_on",
                )
            )


def _family(label: str, number: str) -> str | None:
    for code, words in FAMILY_WORDS:
        if label and any(w in label.upper() for w in words):
            return code
    if number.startswith("T") and len(number) == 19:
        return "mem"
    if len(number) == 14 and "\u4e00" <= number[0] <= "\u9fa5":
        return "mohurd"
    return None


def _age(number: str, today: date) -> int:
    born = idnumber.birth_date(number)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _mask_raw(raw: str) -> str:
    """The report never repeats a full ID number: keep the first 4 and last 4 characters."""
    return raw[:4] + "*" * max(0, len(raw) - 8) + raw[-4:] if len(raw) > 8 else "*" * len(raw)


__all__ = ["CertRow", "Checked", "Directory", "PersonRow", "RowChecker", "RowError", "mask_number"]
