"""What each certificate family prints: the words that tell the family apart and the field labels.

Labels are matched after NFKC normalisation with spaces removed, longest first, so "初次领证日期"
wins over "日期". An enterprise that meets another print run adds its labels here.
"""

from __future__ import annotations

# Words whose presence votes for a family (title, issuer, fixed phrases).
FAMILY_WORDS: dict[str, tuple[str, ...]] = {
    "mem": ("特种作业操作证", "应急管理", "安全生产监督管理", "准操项目", "作业类别"),
    "mohurd": ("建筑施工", "操作资格证", "住房和城乡建设", "城乡建设", "操作类别"),
    "samr": ("特种设备", "作业人员证", "市场监督管理", "质量技术监督", "作业项目"),
}

COMMON: dict[str, str] = {
    "姓名": "name",
    "性别": "sex",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "身份证件号码": "id_number",
    "证件号码": "id_number",
    "证号": "number",
    "证书编号": "number",
    "证书号": "number",
    "证件编号": "number",
    "编号": "number",
    "签发机关": "authority",
    "发证机关": "authority",
    "发证单位": "authority",
    "发证部门": "authority",
    "初领日期": "first_issued_on",
    "初次领证日期": "first_issued_on",
    "初次发证日期": "first_issued_on",
    "初领证日期": "first_issued_on",
    "有效期限": "valid",
    "有效期": "valid",
    "有效日期": "valid",
    "有效期至": "valid_until",
    "有效期截止": "valid_until",
    "发证日期": "valid_from",
    "签发日期": "valid_from",
    "批准日期": "valid_from",
    "复审日期": "reviewed_on",
    "出生日期": "birth",
    "出生年月": "birth",
}

# Family-specific meaning of the same printed word: 住建 prints the work type as 操作类别.
BY_FAMILY: dict[str, dict[str, str]] = {
    "mem": {"作业类别": "category", "准操项目": "item", "操作项目": "item"},
    "mohurd": {"操作类别": "item", "工种": "item", "作业类别": "item", "资格类别": "item"},
    "samr": {"作业项目": "item", "作业种类": "category", "项目代号": "item", "作业类别": "category"},
}

# Issuing authorities by family (DOMAIN.md §2–§3): a name off this pattern is worth a second look.
AUTHORITY_PATTERNS: dict[str, str] = {
    "mem": r"^.{2,12}(应急管理|安全生产监督管理)(厅|局|委员会)$",
    "mohurd": r"^.{2,12}(住房和城乡建设|住房城乡建设|建设)(厅|局|委员会)$",
    "samr": r"^.{2,12}(市场监督管理|质量技术监督)(局|厅|委员会)$",
}


def labels_for(family: str | None) -> dict[str, str]:
    table = dict(COMMON)
    if family:
        table.update(BY_FAMILY.get(family, {}))
    else:
        for extra in BY_FAMILY.values():
            for word, name in extra.items():
                table.setdefault(word, name)
    return table
