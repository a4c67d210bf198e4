"""Draw a demo site plan PNG: roads, areas coloured by hazard class, equipment, routes, legend."""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from backend.demo.plant_drawing import decorate_area
from backend.demo.records import DemoSite, Point
from backend.demo.site_geometry import label_point

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Colours follow the usual plan convention: red = class A fire risk … green = general.
HAZARD_STYLE = {
    "fire_class_a": ((229, 57, 53), "甲类火灾爆炸危险区", "Class A fire"),
    "fire_class_b": ((251, 140, 0), "乙类火灾危险区", "Class B fire"),
    "tank_farm_dike": ((142, 36, 170), "罐区防火堤内", "Tank dike"),
    "pipe_rack": ((109, 76, 65), "管廊", "Pipe rack"),
    "confined_space": ((253, 216, 53), "受限空间", "Confined space"),
    "general": ((67, 160, 71), "一般区域", "General"),
}
FEATURE_NAMES = {
    "extinguisher": ("灭火器", "Extinguisher"),
    "hydrant": ("室外消火栓", "Hydrant"),
    "eyewash": ("洗眼器", "Eyewash"),
    "gas_detector": ("气体检测器", "Gas detector"),
    "assembly_point": ("紧急集合点", "Assembly point"),
}
ROUTE = (46, 125, 50)
# Common places of CJK fonts when fontconfig is absent (Debian, Fedora, macOS, Windows).
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def find_cjk_font() -> Path | None:
    """A font file that covers Chinese, from `fc-list :lang=zh` or well-known paths; None if none."""
    found: list[str] = []
    if fc_list := shutil.which("fc-list"):
        try:
            out = subprocess.run(
                [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        # Prefer regular sans-serif faces (黑体) for small map labels.
        lines = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
        found = sorted(
            lines, key=lambda p: (not any(k in p.lower() for k in ("sans", "hei")), "bold" in p.lower())
        )
    for candidate in [*found, *FONT_CANDIDATES]:
        path = Path(candidate)
        if path.is_file():
            try:
                ImageFont.truetype(str(path), 12)
            except OSError:
                continue
            return path
    return None


def _simplified_face(path: Path) -> int:
    """In a font collection (.ttc), the face for simplified Chinese: Noto CJK puts the Japanese
    face first, whose glyph forms differ from the mainland standard (GB 18030) ones."""
    for index in range(12):
        try:
            family = ImageFont.truetype(str(path), 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith((" SC", " CN")) or "GB" in family:
            return index
    return 0


class Lettering:
    """Chinese labels with a CJK font; without one, ASCII labels (area codes) in Pillow's font."""

    def __init__(self, font_path: Path | None):
        self.cjk = font_path is not None
        self._path = font_path
        self._index = _simplified_face(font_path) if font_path else 0
        self._cache: dict[int, Font] = {}

    def font(self, size: int) -> Font:
        if size not in self._cache:
            if self._path is not None:
                self._cache[size] = ImageFont.truetype(str(self._path), size, index=self._index)
            else:
                try:
                    self._cache[size] = ImageFont.load_default(size=size)
                except TypeError:  # Pillow < 10.1: one fixed-size bitmap font
                    self._cache[size] = ImageFont.load_default()
        return self._cache[size]

    def pick(self, zh: str, en: str) -> str:
        return zh if self.cjk else en


def _boxed_text(draw: ImageDraw.ImageDraw, centre: Point, text: str, font: Font) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left, bottom - top
    x, y = centre[0] - w // 2, centre[1] - h // 2
    draw.rectangle((x - 4, y - 3, x + w + 4, y + h + 3), fill=(255, 255, 255, 215), outline=(60, 60, 60, 255))
    draw.text((x - left, y - top), text, font=font, fill=(20, 20, 20, 255))


def _dashed(draw: ImageDraw.ImageDraw, points: tuple[Point, ...], fill: tuple[int, ...], width: int) -> None:
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.dist((x0, y0), (x1, y1))
        for start in range(0, int(length), 16):
            a, b = start / length, min(start + 10, length) / length
            draw.line(
                (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                fill=fill,
                width=width,
            )


def _arrow_head(draw: ImageDraw.ImageDraw, tail: Point, tip: Point) -> None:
    angle = math.atan2(tip[1] - tail[1], tip[0] - tail[0])
    back = [(tip[0] - 14 * math.cos(angle + s), tip[1] - 14 * math.sin(angle + s)) for s in (0.45, -0.45)]
    draw.polygon([tip, *back], fill=ROUTE)


def feature_icon(draw: ImageDraw.ImageDraw, kind: str, x: int, y: int) -> None:
    """Map symbols: red square extinguisher, red ring hydrant, green cross eyewash, yellow diamond
    gas detector, green square assembly point."""
    if kind == "extinguisher":
        draw.rectangle((x - 5, y - 5, x + 5, y + 5), fill=(211, 47, 47), outline=(255, 255, 255))
    elif kind == "hydrant":
        draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(198, 40, 40), outline=(255, 255, 255), width=2)
    elif kind == "eyewash":
        draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=(0, 137, 123))
        draw.line((x - 4, y, x + 4, y), fill="white", width=2)
        draw.line((x, y - 4, x, y + 4), fill="white", width=2)
    elif kind == "gas_detector":
        draw.polygon(
            [(x, y - 7), (x + 7, y), (x, y + 7), (x - 7, y)], fill=(255, 214, 0), outline=(30, 30, 30)
        )
    elif kind == "assembly_point":
        draw.rectangle((x - 11, y - 11, x + 11, y + 11), fill=ROUTE, outline="white", width=2)
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill="white")


def _legend(draw: ImageDraw.ImageDraw, text: Lettering, box: tuple[int, int, int, int]) -> None:
    draw.rectangle(box, fill=(255, 255, 255, 230), outline=(60, 60, 60, 255), width=2)
    font = text.font(13)
    x, y = box[0] + 10, box[1] + 8
    draw.text((x, y), text.pick("图例", "Legend"), font=text.font(15), fill=(0, 0, 0, 255))
    y += 24
    for colour, zh, en in HAZARD_STYLE.values():
        draw.rectangle((x, y + 2, x + 16, y + 14), fill=(*colour, 120), outline=(*colour, 255), width=2)
        draw.text((x + 24, y), text.pick(zh, en), font=font, fill=(0, 0, 0, 255))
        y += 18
    for kind, (zh, en) in FEATURE_NAMES.items():
        feature_icon(draw, kind, x + 8, y + 8)
        draw.text((x + 24, y), text.pick(zh, en), font=font, fill=(0, 0, 0, 255))
        y += 18 if kind != "assembly_point" else 22
    _dashed(draw, ((x, y + 8), (x + 18, y + 8)), ROUTE, 3)
    draw.text((x + 24, y), text.pick("疏散路线", "Escape route"), font=font, fill=(0, 0, 0, 255))


def _frame(draw: ImageDraw.ImageDraw, site: DemoSite, text: Lettering) -> None:
    """Fence, roads, title, north arrow and a 100 m scale bar."""
    x0, y0, x1, y1 = site.roads.fence
    draw.rectangle((x0, y0, x1, y1), fill=(244, 241, 232), outline=(80, 80, 80), width=3)
    half = site.roads.width // 2
    for y in site.roads.horizontal:
        draw.rectangle((x0 + 2, y - half, x1 - 2, y + half), fill=(196, 196, 196))
        _dashed(draw, ((x0, y), (x1, y)), (255, 255, 255), 1)
    for x in site.roads.vertical:
        draw.rectangle((x - half, y0 + 2, x + half, y1 - 2), fill=(196, 196, 196))
        _dashed(draw, ((x, y0), (x, y1)), (255, 255, 255), 1)
    title = text.pick(f"{site.name} 总平面图（{site.code}）", f"Site plan {site.code}")
    draw.text((x0, 4), title, font=text.font(20), fill=(20, 20, 20))
    draw.text((x1 - 60, 4), "N ↑" if text.cjk else "N ^", font=text.font(20), fill=(20, 20, 20))
    bar = round(100 / site.metres_per_pixel)
    draw.rectangle((x0, site.height - 18, x0 + bar, site.height - 12), fill=(20, 20, 20))
    draw.text((x0 + bar + 8, site.height - 24), "100 m", font=text.font(13), fill=(20, 20, 20))


def render_site_plan(site: DemoSite, target: Path, font_path: Path | None) -> None:
    """Write the plan of `site` to `target` (PNG, site.width × site.height pixels)."""
    text = Lettering(font_path)
    image = Image.new("RGB", (site.width, site.height), (214, 228, 200))  # green belt outside the fence
    _frame(ImageDraw.Draw(image), site, text)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for area in site.areas:
        colour = HAZARD_STYLE[area.hazard_class][0]
        draw.polygon(area.plan_polygon, fill=(*colour, 70), outline=(*colour, 255), width=3)
    image.paste(overlay, (0, 0), overlay)
    for area in site.areas:
        decorate_area(image, area)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for area in site.areas:
        _dashed(draw, area.escape_route, (*ROUTE, 255), 3)
        _arrow_head(draw, area.escape_route[-2], area.escape_route[-1])
    for area in site.areas:
        for feature in area.features:
            feature_icon(draw, feature.kind, feature.x, feature.y)
        label = f"{area.name} {area.code}" if text.cjk else area.code
        _boxed_text(draw, label_point(area.plan_polygon), label, text.font(15))
    for n, point in enumerate(site.assembly_points, 1):
        feature_icon(draw, point.kind, point.x, point.y)
        _boxed_text(draw, (point.x, point.y + 26), text.pick(point.label, f"AP{n}"), text.font(13))
    _legend(draw, text, (site.width - 195, site.height - 300, site.width - 38, site.height - 38))
    image.paste(overlay, (0, 0), overlay)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, format="PNG")
