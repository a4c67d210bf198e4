# ruff: noqa: E501  (the OOXML boilerplate reads best unwrapped)
"""A small streaming .xlsx writer: shared strings, real date cells, a bold header, a dimension.

openpyxl's write-only mode stores every string inline and no sheet dimension, which makes the
file slow to read back and leaves a reader no row count for its progress bar; Excel itself
writes a shared-string table and the dimension. This writer does the same, in one pass, with
rows spooled to a temporary file.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

EXCEL_EPOCH = date(1899, 12, 30)
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
DATE_STYLE, BOLD_STYLE = 1, 2

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


class XlsxWriter:
    """Rows in, one-sheet workbook out. `header` rows are bold; dates become date cells."""

    def __init__(self, target: Path | IO[bytes], sheet_name: str = "Sheet1"):
        self.target, self.sheet_name = target, sheet_name
        self.rows = 0
        self.width = 0
        self.strings: dict[str, int] = {}
        self._spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self._letters = [column_letter(i) for i in range(64)]

    def _string(self, value: str) -> int:
        index = self.strings.get(value)
        if index is None:
            index = self.strings[value] = len(self.strings)
        return index

    def append(self, values: Sequence[Any], *, bold: bool = False) -> None:
        self.rows += 1
        r = self.rows
        cells = []
        for i, v in enumerate(values):
            if v is None or v == "":
                continue
            ref = f"{self._letters[i] if i < 64 else column_letter(i)}{r}"
            style = f' s="{BOLD_STYLE}"' if bold else ""
            if isinstance(v, bool):
                cells.append(f'<c r="{ref}" t="b"{style}><v>{int(v)}</v></c>')
            elif isinstance(v, int | float):
                cells.append(f'<c r="{ref}"{style}><v>{v}</v></c>')
            elif isinstance(v, date):
                day = v.date() if isinstance(v, datetime) else v
                cells.append(f'<c r="{ref}" s="{DATE_STYLE}"><v>{(day - EXCEL_EPOCH).days}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"{style}><v>{self._string(str(v))}</v></c>')
        self.width = max(self.width, len(values))
        self._spool.write(f'<row r="{r}">{"".join(cells)}</row>')

    def close(self) -> None:
        last = f"{column_letter(max(self.width, 1) - 1)}{max(self.rows, 1)}"
        with zipfile.ZipFile(self.target, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as z:
            z.writestr("[Content_Types].xml", CONTENT_TYPES)
            z.writestr("_rels/.rels", ROOT_RELS)
            z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            z.writestr("xl/workbook.xml", WORKBOOK.format(name=escape(self.sheet_name)))
            z.writestr("xl/styles.xml", STYLES)
            with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    + f'<dimension ref="A1:{last}"/><sheetData>'.encode()
                )
                self._spool.seek(0)
                while chunk := self._spool.read(1 << 20):
                    sheet.write(chunk.encode())
                sheet.write(b"</sheetData></worksheet>")
            with z.open("xl/sharedStrings.xml", "w") as sst:
                n = len(self.strings)
                sst.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    + f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" '
                    f'uniqueCount="{n}">'.encode()
                )
                for text in self.strings:
                    sst.write(
                        f'<si><t xml:space="preserve">{escape(_BAD_XML.sub("", text))}</t></si>'.encode()
                    )
                sst.write(b"</sst>")
        self._spool.close()
