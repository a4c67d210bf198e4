# ruff: noqa: E501  (rows of a spreadsheet read best one per line)
"""A messy 台账 as plants keep them: a title row, variant headers, the same person under two
names, duplicate rows, bad ID numbers, four date notations, Excel serial numbers, blank rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from backend.people.idnumber import check_char
from tests.factories import id_number

HEADER = ["序号", "姓名", "身份证号码", "联系电话", "单位", "班组", "证书类型", "作业类别", "操作项目", "证号",
          "发证机关", "初领日期", "有效期至（年月日）", "复审日期"]  # fmt: skip


def serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def with_x() -> str:
    """A valid ID number whose check character is X, written with a lower-case x."""
    while (number := id_number())[-1] != "X":
        pass
    return number[:-1] + "x"


@dataclass
class Messy:
    path: Path
    a: str  # 张三 / 张叁: three rows
    existing: str  # registered before the import as 王大锤
    legacy15: str
    lower_x: str


def write_messy(path: Path, existing: str, enterprise_name: str) -> Messy:
    a, b, c, e, f = (id_number() for _ in range(5))
    bad = a[:-1] + ("0" if a[-1] != "0" else "1")
    legacy = "320102850612123"
    lower_x = with_x()
    wb = Workbook()
    ws = wb.active
    ws.append(["特种作业人员台账（2026年）"])
    ws.append(HEADER)
    rows = [
        [1, "张三", a, "13800000001", enterprise_name, "聚合一班", "应急管理部", "焊接与热切割作业", "熔化焊接与热切割作业",
         "T" + a, "江苏省应急管理厅", "2024-03-15", "2030-03-15", None],
        [2, "张叁", a, "139-0000-0002", "", "聚合一班", "", "电工作业", "低压电工作业", "T" + a, "南京市应急管理局",
         "2024年3月15日", "2030年3月15日", None],
        [3, "张三", a, None, None, "聚合一班", None, "焊接与热切割作业", "电焊", "T" + a, "江苏省应急管理厅",
         "2024.3.15", "2030.4.15", None],
        [4, "李四", bad, None, None, None, None, "焊接与热切割作业", "熔化焊接与热切割作业", "T" + bad, "", "2024-01-01",
         "2030-01-01", None],
        [5, "王五", b, None, None, None, None, None, "飞行员", "FLY001", "", "2024-01-01", "2030-01-01", None],
        [6, "赵六", c, None, None, None, None, "焊接与热切割作业", "熔化焊接与热切割作业", "T" + c, "", "2024-01-01",
         "2020-01-01", None],
        [7, "钱七", e, None, None, None, None, "焊接与热切割作业", "熔化焊接与热切割作业", "T" + a, "", "2024-01-01",
         "2030-01-01", None],
        [8, "孙八", f, None, None, "储运一班", "特种设备", None, "叉车司机", "TS2024001", "南京市市场监督管理局",
         serial(date(2024, 3, 15)), serial(date(2028, 3, 15)), None],
        [9, "周九", legacy, None, None, None, None, "高处作业", "登高架设作业", "T" + legacy, "", "2023-06-01",
         "2029-06-01", None],
        [10, "吴十", lower_x, None, None, None, "住建", None, "建筑电工", "苏A012025000001", "江苏省住房和城乡建设厅",
         datetime(2025, 6, 1), datetime(2027, 6, 1), None],
        [11, "王大锺", existing, None, None, None, None, "焊接与热切割作业", "熔化焊接与热切割作业", "T" + existing,
         "", "2024-05-01", "2030-05-01", None],
        [None] * 14,
        [12, "郑十二", id_number(), None, None, "不存在的班组", None, "焊接与热切割作业", "熔化焊接与热切割作业", "X1",
         "", "2024-05-01", "2030-05-01", None],
    ]  # fmt: skip
    for row in rows:
        ws.append(row)
    wb.save(path)
    body = legacy[:6] + "19" + legacy[6:]
    return Messy(path, a, existing, body + check_char(body), lower_x.upper())


ERRORS = {6: "id_number_checksum", 7: "item_unknown", 8: "dates_out_of_order", 9: "mem_number_mismatch",
          15: "unit_unknown"}  # fmt: skip
