"""File downloads: a body the browser saves under a name rather than shows."""

from __future__ import annotations

from litestar import Response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


def attachment(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    """`body` as a download named `filename` (ASCII names: ours are codes and dates)."""
    disposition = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
