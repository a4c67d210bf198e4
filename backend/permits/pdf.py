"""The printable permit: A4, CJK font, laid out like GB 30871-2022 Table A.1, with a QR to the e-permit."""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache
from pathlib import Path

import qrcode
from fpdf import FPDF

from backend.core.errors import DomainError
from backend.permits.catalogue import catalogue
from backend.permits.schemas import PermitOut

# Debian/Ubuntu (fonts-noto-cjk), Fedora, and WenQuanYi as a fallback.
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
STATUS = {
    "draft": "草稿",
    "submitted": "待审批",
    "approving": "审批中",
    "approved": "已批准",
    "active": "作业中",
    "suspended": "已暂停",
    "completed": "已完工",
    "closed": "已关闭",
    "cancelled": "已取消",
    "rejected": "已驳回",
    "expired": "已过期",
}
ROLE = {
    "team_leader": "属地班组长",
    "safety_officer": "安全员",
    "workshop_director": "车间主任（安全管理部门）",
    "vice_president": "分管副总（主管领导）",
}


class CjkFontMissing(DomainError):
    status = 503
    code = "cjk_font_missing"


@cache
def cjk_font() -> tuple[Path, int] | None:
    """A Chinese font file and its index inside a collection (.ttc), or None."""
    for candidate in FONT_PATHS:
        if Path(candidate).is_file():
            return Path(candidate), 2 if "NotoSansCJK" in candidate else 0
    if fc_list := shutil.which("fc-list"):
        try:
            out = subprocess.run(
                [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
        for f in files:
            if f.endswith((".ttf", ".otf")):
                return Path(f), 0
        if files:
            return Path(files[0]), 2 if "NotoSansCJK" in files[0] or "NotoSerifCJK" in files[0] else 0
    return None


def _qr_png(url: str) -> bytes:
    image = qrcode.make(url, border=1)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _fmt(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat(timespec="minutes") if hasattr(value, "isoformat") else str(value)
    return text.replace("T", " ").replace("+00:00", " UTC")


class _Doc(FPDF):
    def _lines(self, width: float, text: str) -> list[str]:
        lines = self.multi_cell(width, 6, text or " ", dry_run=True, output="LINES")
        return list(lines) if isinstance(lines, list) else []

    def row(self, label: str, value: str, label_w: float = 42) -> None:
        x, y = self.get_x(), self.get_y()
        width = self.epw - label_w
        lines = len(self._lines(width, value))
        height = max(1, lines) * 6
        if y + height > self.page_break_trigger:
            self.add_page()
            x, y = self.get_x(), self.get_y()
        self.set_fill_color(243, 244, 246)
        self.multi_cell(label_w, height, label, border=1, fill=True, new_x="RIGHT", new_y="TOP")
        self.multi_cell(width, 6, value or " ", border=1, new_x="LMARGIN", new_y="NEXT")
        self.set_xy(x, y + height)

    def grid(self, headers: list[str], widths: list[float], rows: list[list[str]]) -> None:
        self.set_fill_color(243, 244, 246)
        for h, w in zip(headers, widths, strict=True):
            self.cell(w, 7, h, border=1, fill=True, align="C")
        self.ln()
        for r in rows:
            heights = [len(self._lines(w, t)) * 6 for t, w in zip(r, widths, strict=True)]
            height = max(heights)
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
            x, y = self.get_x(), self.get_y()
            for t, w in zip(r, widths, strict=True):
                self.multi_cell(w, 6, t or " ", border=0, new_x="RIGHT", new_y="TOP")
            self.set_xy(x, y)
            for w in widths:
                self.cell(w, height, "", border=1)
            self.ln(height)


def render(permit: PermitOut, url: str) -> bytes:
    """One A4 permit in the Table A.1 order; raises CjkFontMissing when no Chinese font is installed."""
    font = cjk_font()
    if font is None:
        raise CjkFontMissing(
            "服务器未安装中文字体，无法生成作业票 PDF（Debian: apt-get install fonts-noto-cjk）"
        )
    doc = _Doc(format="A4")
    doc.set_margins(14, 14, 14)
    doc.set_auto_page_break(True, 14)
    doc.add_font("cjk", fname=str(font[0]), collection_font_number=font[1])
    doc.set_title(f"{permit.title} {permit.number}")
    doc.add_page()
    doc.image(io.BytesIO(_qr_png(url)), x=doc.w - 14 - 28, y=10, w=28, h=28)
    doc.set_font("cjk", size=18)
    doc.cell(doc.epw - 30, 10, permit.title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=11)
    mark = f"【{permit.grade_label}】" if permit.grade != "none" else ""
    doc.cell(
        doc.epw - 30,
        7,
        f"编号：{permit.number}  {mark}  状态：{STATUS.get(permit.status, permit.status)}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("cjk", size=8)
    doc.cell(
        doc.epw - 30,
        5,
        "扫码查看电子作业票；纸质与电子票双轨运行，以系统记录为准",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(6)
    doc.set_font("cjk", size=9.5)
    operators = "、".join(p.name for p in permit.operators)
    form = permit.form
    doc.row("作业申请单位/申请人", f"{permit.area.name} / {permit.applicant.name}")
    doc.row("作业申请时间", _fmt(permit.submitted_at))
    doc.row("作业内容", permit.content)
    doc.row("作业地点及部位", f"{permit.area.name}（{permit.area.code}） {form.get('location_detail', '')}")
    doc.row("作业级别", permit.grade_label)
    wt = catalogue().get(permit.work_type)
    labels = {f.key: f.label for f in wt.fields} if wt else {}
    for key, value in form.items():
        if key not in ("location_detail", "risk_identification", "related_permits", "work_content") and value:
            doc.row(labels.get(key, key), str(value))
    doc.row("作业人", operators)
    doc.row("监护人", permit.guardian.name if permit.guardian else "")
    doc.row("关联的其他特殊作业及安全作业票编号", "、".join(form.get("related_permits", []) or []))
    reasons = "；".join(r["text"] for r in permit.grading.get("reasons", []))
    doc.row("风险辨识结果", form.get("risk_identification") or reasons)
    doc.row("作业实施时间", f"自 {_fmt(permit.planned_start)} 至 {_fmt(permit.valid_until)}")
    doc.ln(3)
    doc.cell(0, 7, "气体取样分析", new_x="LMARGIN", new_y="NEXT")
    unit = {"lel": "%LEL", "vol": "%(v/v)", "o2": "%O₂"}
    doc.grid(
        ["取样分析时间", "分析部位", "代表性气体", "分析结果", "是否合格", "分析人"],
        [34, 34, 26, 28, 30, 30],
        [
            [
                _fmt(a.sampled_at),
                a.point,
                a.gas,
                f"{a.result:g}{unit.get(a.unit, '')}",
                "合格" if a.passed else "不合格",
                a.analyst.name if a.analyst else "",
            ]
            for a in permit.analyses
        ]
        or [["", "", "", "", "", ""]],
    )
    doc.ln(3)
    doc.cell(0, 7, "安全措施", new_x="LMARGIN", new_y="NEXT")
    doc.grid(
        ["序号", "安全措施", "是否涉及", "确认人"],
        [12, 128, 20, 22],
        [
            [str(i + 1), m["text"], "是" if m.get("involved", True) else "否", ""]
            for i, m in enumerate(permit.measures)
        ],
    )
    doc.ln(3)
    doc.cell(0, 7, "审批（通行密钥电子签名）", new_x="LMARGIN", new_y="NEXT")
    doc.grid(
        ["审批环节", "审批人", "意见", "签字时间"],
        [52, 40, 50, 40],
        [
            [
                ROLE.get(s.role, s.role),
                s.decided_by.name if s.decided_by else (s.assignee.name if s.assignee else ""),
                {"approved": "同意", "rejected": "不同意"}.get(s.status, "待审批")
                + (f"：{s.comment}" if s.comment else ""),
                _fmt(s.decided_at),
            ]
            for s in permit.slots
        ],
    )
    doc.ln(3)
    doc.row("动火前，岗位当班班长验票情况", _fmt(permit.started_at))
    doc.row("完工验收", _fmt(permit.completed_at))
    doc.set_font("cjk", size=8)
    doc.ln(2)
    doc.multi_cell(0, 5, f"GB 30871-2022 附录A 表A.1 格式；一式三联（B.3）。电子签名可在系统中核验：{url}")
    return bytes(doc.output())
