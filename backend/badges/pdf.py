"""The printable badge: a CR80 card (85.6 × 54 mm) with photo, name, masked ID, trades and a QR
that carries only the worker id and the signature (`credential.Claims(kind="b")`). Everything
else the inspector sees comes from their synced data, so a printed card cannot outlive a freeze."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import datetime
from pathlib import Path

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.badges import service
from backend.badges.models import BadgePhoto
from backend.catalog.service import catalog_for, local_tz
from backend.config import Settings
from backend.core.clock import utcnow
from backend.core.errors import NotFound
from backend.db.engine import make_engine, make_sessionmaker
from backend.people.models import Person
from backend.permits.pdf import CjkFontMissing, cjk_font

CARD = (85.6, 54.0)


def qr_png(text: str) -> bytes:
    """An alphanumeric-mode QR (base45 text is all QR alphanumeric characters) at ECC M."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=6)
    code.add_data(text)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image().save(buf, format="PNG")
    return buf.getvalue()


def render(
    name: str, id_masked: str, trades: list[str], photo: bytes | None, code: str, expires: datetime
) -> bytes:
    font = cjk_font()
    if font is None:
        raise CjkFontMissing(
            "服务器未安装中文字体，无法生成工牌 PDF（Debian: apt-get install fonts-noto-cjk）"
        )
    doc = FPDF(orientation="L", unit="mm", format=CARD)
    doc.set_margins(3, 3, 3)
    doc.set_auto_page_break(False)
    doc.add_font("cjk", fname=str(font[0]), collection_font_number=font[1])
    doc.set_title(f"特种作业人员工牌 {name}")
    doc.add_page()
    doc.set_fill_color(180, 30, 30)
    doc.rect(0, 0, CARD[0], 7, style="F")
    doc.set_text_color(255, 255, 255)
    doc.set_font("cjk", size=8)
    doc.set_xy(3, 1.2)
    doc.cell(60, 5, "特种作业人员电子身份工牌")
    doc.set_text_color(0, 0, 0)
    if photo:
        doc.image(io.BytesIO(photo), x=3, y=10, w=20, h=26)
    else:
        doc.rect(3, 10, 20, 26)
        doc.set_xy(3, 21)
        doc.set_font("cjk", size=6)
        doc.cell(20, 4, "无照片", align="C")
    doc.set_xy(25, 10)
    doc.set_font("cjk", size=12)
    doc.cell(30, 6, name)
    doc.set_font("cjk", size=6)
    doc.set_xy(25, 17)
    doc.cell(30, 3, id_masked)
    doc.set_xy(25, 21)
    doc.multi_cell(29, 3, "\n".join(trades[:5]) or "—")
    doc.image(io.BytesIO(qr_png(code)), x=CARD[0] - 31, y=9, w=29, h=29)
    doc.set_xy(3, CARD[1] - 12)
    doc.set_font("cjk", size=5.5)
    doc.multi_cell(
        CARD[0] - 6,
        2.6,
        f"有效至 {expires:%Y-%m-%d}。二维码仅含人员编号与签名，须用巡检端离线核验"
        "（照片、证书、冻结状态以同步数据为准）。",
    )
    return bytes(doc.output())


async def badge_pdf(db: AsyncSession, settings: Settings, person: Person, now: datetime) -> bytes:
    catalog = catalog_for(settings)
    certs = (await service.certificates_of(db, [person.id])).get(person.id, [])
    trades = [catalog.items[c.item_key].name if c.item_key in catalog.items else c.item_key for c in certs]
    photo = await db.scalar(select(BadgePhoto.jpeg).where(BadgePhoto.person_id == person.id))
    issued = service.badge_code(settings, person, now)
    expires = issued.expires_at.astimezone(local_tz(catalog.policy))  # the plant's calendar day
    # fpdf2 with a CJK font is seconds of CPU: off the event loop (alarms and SSE keep flowing)
    return await asyncio.to_thread(
        render, person.name, person.id_number_masked, trades, photo, issued.text, expires
    )


async def write_badge(settings: Settings, person_id: uuid.UUID, out: Path) -> None:
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as db:
            person = await db.get(Person, person_id)
            if person is None:
                raise NotFound("人员不存在", code="person_unknown")
            body = await badge_pdf(db, settings, person, utcnow())
    finally:
        await engine.dispose()
    await asyncio.to_thread(out.write_bytes, body)
