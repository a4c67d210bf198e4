"""Ledger column headers: the Chinese names plants use, with their common variants."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# field → accepted headers (normalised: no spaces, no bracketed notes, no "*" markers).
# The first name of each is what the export writes.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "员工姓名", "持证人", "持证人姓名", "作业人员姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码", "证件号"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式"),
    "company": ("单位", "所属单位", "工作单位", "用人单位", "外包单位", "施工单位", "单位名称"),
    "credit_code": ("统一社会信用代码", "信用代码", "单位信用代码"),
    "unit": ("班组编码", "组织编码", "车间编码", "车间", "班组", "部门", "所属车间", "所属班组", "所属部门"),
    "family": ("证书类型", "证书类别", "证件类型", "证书种类", "发证部门"),
    "category": ("作业类别", "类别", "作业种类", "作业类型", "种类"),
    "item": ("准操项目", "操作项目", "准操作项目", "作业项目", "工种", "项目", "准操类别"),
    "item_limit": ("准操范围", "作业范围", "限制范围"),
    "number": ("证书编号", "证号", "操作证号", "证书号", "证书号码", "操作证编号", "资格证书编号"),
    "authority": ("发证机关", "发证单位", "签发机关", "发证机构"),
    "first_issued_on": ("初领日期", "初次领证日期", "初领证日期", "首次领证日期"),
    "issued_on": ("发证日期", "签发日期", "领证日期", "本证发证日期"),
    "valid_until": (
        "有效期至",
        "有效期",
        "有效期截止",
        "有效期截止日期",
        "到期日期",
        "有效截止日期",
        "有效期限",
    ),
    "reviewed_on": ("最近复审日期", "上次复审日期", "复审日期", "复审时间"),
    "next_review_on": ("下次复审日期", "应复审日期", "复审到期日"),
}
REQUIRED = ("name", "id_number")
_NOTE = re.compile(r"[（(][^）)]*[）)]")


def normalise_header(text: object) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).strip()
    value = _NOTE.sub("", value).replace("*", "").replace(" ", "").replace(":", "")
    return value


def map_headers(cells: Sequence[object]) -> dict[str, int]:
    """field → column index for one header row; exact names first, then "starts with"."""
    names = [normalise_header(c) for c in cells]
    found: dict[str, int] = {}
    for field, aliases in HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases and i not in found.values():
                found[field] = i
                break
    for field, aliases in HEADERS.items():
        if field in found:
            continue
        for i, name in enumerate(names):
            if name and i not in found.values() and any(name.startswith(a) for a in aliases if len(a) >= 2):
                found[field] = i
                break
    return found


def is_header(cells: Sequence[object]) -> bool:
    found = map_headers(cells)
    return all(f in found for f in REQUIRED)
