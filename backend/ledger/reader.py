"""Read an .xlsx ledger: find the header row, then yield (row number, {field: value})."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook

from backend.core.errors import Invalid
from backend.ledger.columns import is_header, map_headers

XLSX_MAGIC = b"PK\x03\x04"
HEADER_SEARCH_ROWS = 10


def check_xlsx(data: bytes) -> None:
    """An Office Open XML workbook (zip with xl/workbook.xml), not merely a file named .xlsx."""
    if not data.startswith(XLSX_MAGIC):
        raise Invalid("文件不是 Excel .xlsx 工作簿", code="not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise Invalid("文件不是 Excel .xlsx 工作簿", code="not_xlsx") from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise Invalid("文件不是 Excel .xlsx 工作簿（.xls 请另存为 .xlsx）", code="not_xlsx")


class Ledger:
    """The sheet holding the ledger, its header mapping and its size (for the progress bar)."""

    def __init__(self, source: Path | IO[bytes]):
        try:
            self.book = load_workbook(source, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise Invalid(f"无法读取工作簿：{type(exc).__name__}", code="not_xlsx") from None
        for sheet in self.book.worksheets:
            for i, row in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
                if is_header(row):
                    self.sheet, self.header_row, self.columns = sheet, i, map_headers(row)
                    self.total = max(0, (sheet.max_row or 0) - i)
                    return
        self.book.close()
        raise Invalid("未找到表头（至少需要「姓名」和「身份证号」两列）", code="header_missing")

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Data rows below the header, skipping blank ones; row numbers as Excel shows them."""
        start = self.header_row + 1
        for number, cells in enumerate(self.sheet.iter_rows(min_row=start, values_only=True), start=start):
            values = {f: cells[i] if i < len(cells) else None for f, i in self.columns.items()}
            if any(v not in (None, "") for v in values.values()):
                yield number, values

    def close(self) -> None:
        self.book.close()
