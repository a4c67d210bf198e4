"""Synthetic certificate cards of the three families with ground truth, for tests and `tezuo bench media`.

Cards are drawn with the system's CJK fonts (Debian fonts-noto-cjk), in several layouts and date
styles, then degraded like phone photos: blur, noise, rotation, perspective, JPEG quality, moiré.
"""

from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from backend.people.idnumber import check_char
from backend.workers.deadlines_part import add_years

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏飞林"
# (province short name, province name, ID region code, a city of it, the city's letter)
PROVINCES = (
    ("苏", "江苏省", "320102", "南京市", "A"),
    ("浙", "浙江省", "330106", "杭州市", "A"),
    ("鲁", "山东省", "370102", "济南市", "A"),
    ("晋", "山西省", "140105", "太原市", "A"),
    ("粤", "广东省", "440106", "广州市", "A"),
    ("川", "四川省", "510104", "成都市", "A"),
)
MEM_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("02-01", "焊接与热切割作业", "熔化焊接与热切割作业"),
    ("01-02", "电工作业", "低压电工作业"),
    ("03-02", "高处作业", "高处安装、维护、拆除作业"),
    ("01-01", "电工作业", "高压电工作业"),
)
MOHURD_ITEMS: tuple[tuple[str, str], ...] = (
    ("01", "建筑电工"),
    ("02", "建筑架子工(普通脚手架)"),
    ("04", "建筑起重司索信号工"),
    ("05", "建筑起重机械司机(塔式起重机)"),
)
SAMR_ITEMS: tuple[tuple[str, str], ...] = (
    ("Q2", "起重机指挥"),
    ("G1", "工业锅炉司炉"),
    ("R1", "快开门式压力容器操作"),
    ("N1", "叉车司机"),
)
VALIDITY_YEARS = {"mem": 6, "mohurd": 2, "samr": 4}
FIELDS: tuple[str, ...] = ("name", "id_number", "number", "item_key", "authority", "first_issued_on")
FIELDS += ("valid_from", "valid_until")


@dataclass
class Card:
    """What is printed on one card: the ground truth of the fields the extractor returns."""

    family: str
    name: str
    sex: str
    id_number: str
    number: str
    category: str
    item_key: str
    item_name: str
    authority: str
    first_issued_on: str
    valid_from: str
    valid_until: str
    layout: int = 0
    date_style: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def truth(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if k in FIELDS}


@lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    for index in range(6):  # the SC face of a .ttc collection
        font = ImageFont.truetype(path, size, index=index)
        if "SC" in (font.getname()[0] or "") or not path.endswith(".ttc"):
            return font
    return ImageFont.truetype(path, size)


def fonts() -> list[str]:
    found = [p for p in FONT_FILES if Path(p).exists()]
    if not found:
        raise RuntimeError("no CJK font: install fonts-noto-cjk")
    return found


def _id_number(rng: random.Random, region: str) -> str:
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(35 * 365))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + check_char(body)


def _fmt(day: date, style: int) -> str:
    return (f"{day:%Y-%m-%d}", f"{day:%Y年%m月%d日}", f"{day:%Y.%m.%d}")[style % 3]


def random_card(rng: random.Random, family: str) -> Card:
    short, province, region, city, letter = rng.choice(PROVINCES)
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    ident = _id_number(rng, region)
    valid_from = date(2019, 1, 1) + timedelta(days=rng.randrange(5 * 365))
    first = valid_from - timedelta(days=rng.choice((0, 0, 365 * rng.randrange(1, 8))))
    years = VALIDITY_YEARS[family]
    until = add_years(valid_from, years) - timedelta(days=1)
    if family == "mem":
        code, category, item = rng.choice(MEM_ITEMS)
        number, authority = "T" + ident, f"{province}应急管理厅"
    elif family == "mohurd":
        code, item = rng.choice(MOHURD_ITEMS)
        category = "建筑施工特种作业"
        number = f"{short}{letter}{code}{valid_from.year}{rng.randrange(10**6):06d}"
        authority = f"{province}住房和城乡建设厅"
    else:
        code, item = rng.choice(SAMR_ITEMS)
        category = "特种设备作业"
        number = rng.choice((ident, f"TS{rng.randrange(10**8):08d}"))
        authority = f"{city}市场监督管理局"
    return Card(
        family=family,
        name=name,
        sex=rng.choice("男女"),
        id_number=ident,
        number=number,
        category=category,
        item_key=f"{family}:{code}",
        item_name=item if family != "samr" else f"{code} {item}",
        authority=authority,
        first_issued_on=first.isoformat(),
        valid_from=valid_from.isoformat(),
        valid_until=until.isoformat(),
        layout=rng.randrange(3),  # 2: a screenshot of the electronic certificate
        date_style=rng.randrange(3),
    )


TITLES = {
    "mem": ("中华人民共和国", "特种作业操作证"),
    "mohurd": ("建筑施工特种作业", "操作资格证书"),
    "samr": ("中华人民共和国", "特种设备安全管理和作业人员证"),
}


def _rows(card: Card) -> list[tuple[str, str]]:
    """(label, value) rows in print order, per family."""
    d = card.date_style
    day = date.fromisoformat
    valid = f"{_fmt(day(card.valid_from), d)}至{_fmt(day(card.valid_until), d)}"
    if card.family == "mem":
        return [
            ("证号", card.number),
            ("姓名", card.name),
            ("性别", card.sex),
            ("作业类别", card.category),
            ("准操项目", card.item_name),
            ("初领日期", _fmt(day(card.first_issued_on), d)),
            ("有效期限", valid),
            ("签发机关", card.authority),
        ]
    if card.family == "mohurd":
        return [
            ("姓名", card.name),
            ("性别", card.sex),
            ("身份证号", card.id_number),
            ("操作类别", card.item_name),
            ("证书编号", card.number),
            ("初次领证日期", _fmt(day(card.first_issued_on), d)),
            ("有效期", valid),
            ("发证机关", card.authority),
        ]
    return [
        ("姓名", card.name),
        ("性别", card.sex),
        ("身份证号", card.id_number),
        ("证书编号", card.number),
        ("作业项目", card.item_name),
        ("发证机关", card.authority),
        ("初次发证日期", _fmt(day(card.first_issued_on), d)),
        ("有效期至", _fmt(day(card.valid_until), d)),
        ("批准日期", _fmt(day(card.valid_from), d)),
    ]


def draw_screen(card: Card, portrait: Image.Image | None, font_path: str, width: int = 900) -> Image.Image:
    """A phone screenshot of the electronic certificate: portrait on top, each label above its value."""
    rows = _rows(card)
    height = 560 + 110 * len(rows)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width, 120), fill=(22, 93, 160))
    title = _font(font_path, 40)
    line = "电子证照 · " + TITLES[card.family][1]
    draw.text(((width - draw.textlength(line, font=title)) / 2, 38), line, fill=(255, 255, 255), font=title)
    if portrait is not None:
        img.paste(portrait.convert("RGB").resize((240, 320)), ((width - 240) // 2, 170))
    small, big = _font(font_path, 28), _font(font_path, 34)
    y = 530
    for label, value in rows:
        draw.text((70, y), label, fill=(120, 120, 120), font=small)
        draw.text((70, y + 42), value, fill=(0, 0, 0), font=big)
        draw.line((70, y + 96, width - 70, y + 96), fill=(225, 225, 225), width=2)
        y += 110
    return img


def draw_card(card: Card, portrait: Image.Image | None, font_path: str, width: int = 1200) -> Image.Image:
    """The clean card: title, portrait on the left, label/value rows on the right (layouts 0 and 1);
    layout 2 is the electronic certificate's screenshot."""
    if card.layout == 2:
        return draw_screen(card, portrait, font_path)
    height = int(width * 0.68)
    bg = {"mem": (236, 244, 250), "mohurd": (248, 244, 230), "samr": (240, 248, 238)}[card.family]
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 10, width - 10, height - 10), outline=(90, 90, 120), width=4)
    title = _font(font_path, 44)
    for i, line in enumerate(TITLES[card.family]):
        tw = draw.textlength(line, font=title)
        draw.text(((width - tw) / 2, 30 + i * 56), line, fill=(150, 20, 20), font=title)
    photo_box = (50, 170, 310, 520)
    if portrait is not None:
        img.paste(portrait.convert("RGB").resize((260, 350)), photo_box[:2])
    else:
        draw.rectangle(photo_box, outline=(120, 120, 120), width=2)
    font = _font(font_path, 30)
    rows = _rows(card)
    x0, y, step = 350, 170, min(48, (height - 200) // len(rows))
    for label, value in rows:
        if card.layout == 0:  # label, gap, value: two text boxes
            draw.text((x0, y), label, fill=(60, 60, 60), font=font)
            draw.text((x0 + 230, y), value, fill=(0, 0, 0), font=font)
        else:  # "label：value" as one run of text
            draw.text((x0, y), f"{label}：{value}", fill=(0, 0, 0), font=font)
        y += step
    return img


def degrade(img: Image.Image, rng: random.Random, strength: float = 1.0) -> Image.Image:
    """A phone photo of the card: perspective, rotation ±10°, blur, noise, moiré, background."""
    import numpy as np

    w, h = img.size
    pad = int(0.08 * w)
    canvas = Image.new("RGB", (w + 2 * pad, h + 2 * pad), tuple(rng.randrange(60, 200) for _ in range(3)))
    canvas.paste(img, (pad, pad))
    if strength > 0:
        j = int(0.03 * w * strength)
        quad = [rng.randint(-j, j) for _ in range(8)]
        cw, ch = canvas.size
        corners = (quad[0], quad[1], quad[2], ch + quad[3], cw + quad[4], ch + quad[5], cw + quad[6], quad[7])
        canvas = canvas.transform(canvas.size, Image.Transform.QUAD, corners, Image.Resampling.BICUBIC)
        canvas = canvas.rotate(rng.uniform(-10, 10) * strength, Image.Resampling.BICUBIC, expand=True)
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.4) * strength))
    arr = np.asarray(canvas).astype(np.float32)
    if strength > 0:
        arr += np.asarray(np.random.default_rng(rng.randrange(2**32)).normal(0, 6 * strength, arr.shape))
        if rng.random() < 0.3:  # a photo of a phone screen: moiré stripes
            yy, xx = np.mgrid[0 : arr.shape[0], 0 : arr.shape[1]]
            arr += (10 * np.sin((xx * 0.9 + yy * 0.35) * rng.uniform(0.8, 1.2)))[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def render(
    card: Card, rng: random.Random, portrait: Image.Image | None = None, strength: float = 1.0
) -> bytes:
    """One card as a JPEG photo (quality 40–90 when degraded, 92 when clean)."""
    clean = draw_card(card, portrait, rng.choice(fonts()))
    photo = degrade(clean, rng, strength)
    return jpeg(photo, rng.randint(40, 90) if strength > 0 else 92)
