"""Export the ledger to .xlsx with the same headers the import reads (a round trip works)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.people.models import Person
from backend.workers.models import Certificate
from backend.workers.numbers_part import Ciphers
from backend.workers.views_part import Directory, LedgerFilter, ledger_query

COLUMNS = (
    "姓名", "身份证号", "手机", "单位", "班组编码", "班组", "车间", "证书类型", "作业类别", "准操项目",
    "准操范围", "证书编号", "发证机关", "初领日期", "发证日期", "有效期至", "最近复审日期", "下次复审日期",
    "状态", "剩余天数",
)  # fmt: skip
STATUS_LABELS = {
    "valid": "有效",
    "review_due": "待复审/换证",
    "expired": "已过期",
    "shadow": "过期超90天（影子操作工）",
    "revoked": "已撤销",
}
FAMILY_LABELS = {
    "mem": "应急管理部特种作业操作证",
    "mohurd": "住建建筑施工特种作业",
    "samr": "市场监管特种设备作业",
}
DATE_FORMAT = "yyyy-mm-dd"


async def export_xlsx(
    db: AsyncSession,
    catalog: Catalog,
    ciphers: Ciphers,
    filters: LedgerFilter,
    scopes: list[str] | None,
    today: date,
    unmasked: Callable[[Person], bool],
    enterprise_name: str,
) -> tuple[bytes, int]:
    """The workbook's bytes and its row count. `unmasked(person)` decides, per row, whether the
    full ID and certificate numbers are written (HR and admins over that person's unit)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("特种作业人员台账")
    header = []
    for title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    directory = await Directory.load(db)
    query = ledger_query(filters, scopes, today).order_by(Person.name, Certificate.item_key)
    count = 0
    result = await db.stream(query.execution_options(yield_per=2000))
    async for cert, person in result:
        sheet.append(
            _row(sheet, cert, person, catalog, ciphers, directory, today, unmasked(person), enterprise_name)
        )
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def _row(
    sheet: Any,
    cert: Certificate,
    person: Person,
    catalog: Catalog,
    ciphers: Ciphers,
    directory: Directory,
    today: date,
    full: bool,
    enterprise_name: str,
) -> list[Any]:
    item = catalog.items.get(cert.item_key)
    brief = directory.brief(person)
    codes = [c for c in person.unit_path.split("/") if c]
    id_number = ciphers.id_number.decrypt(person.id_number_enc) if full else person.id_number_masked
    number = ciphers.cert_number.decrypt(cert.number_enc) if full else cert.number_masked
    values: list[Any] = [
        person.name,
        id_number,
        person.phone or "",
        brief.contractor_name or enterprise_name,
        codes[-1] if codes else "",
        brief.unit_name,
        brief.workshop_name,
        FAMILY_LABELS.get(cert.family, cert.family),
        item.category_name if item else "",
        item.name if item else cert.item_key,
        cert.item_limit or "",
        number,
        cert.issuing_authority,
        cert.first_issued_on,
        cert.issued_on,
        cert.valid_until,
        cert.last_reviewed_on,
        cert.review_due_on,
        STATUS_LABELS.get(cert.status, cert.status),
        (cert.deadline_on - today).days,
    ]
    out = []
    for v in values:
        cell = WriteOnlyCell(sheet, value=v)
        if isinstance(v, date):
            cell.number_format = DATE_FORMAT
        out.append(cell)
    return out
