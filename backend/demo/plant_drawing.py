"""What stands inside an area on the plan: tanks, columns, buildings, pipe racks, vessels."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageDraw

from backend.demo.records import DemoArea

STEEL = (236, 236, 236, 255)
OUTLINE = (70, 70, 70, 255)
ROOF = (205, 200, 190, 255)


def _tanks(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """Storage tanks in rows inside the dike, each with a small roof vent."""
    cols, rows = max(1, round(w / 150)), max(1, round(h / 140))
    cell_w, cell_h = w / cols, h / rows
    r = min(cell_w, cell_h) * 0.33
    for i in range(cols):
        for j in range(rows):
            cx, cy = cell_w * (i + 0.5), cell_h * (j + 0.5)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=STEEL, outline=OUTLINE, width=2)
            draw.ellipse(
                (cx - r * 0.6, cy - r * 0.6, cx + r * 0.6, cy + r * 0.6), outline=(150, 150, 150, 255)
            )
            draw.ellipse((cx - 3, cy - 3, cx + 3, cy + 3), fill=OUTLINE)


def _process_unit(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """Columns and reactors on a concrete pad, with exchangers along the bottom."""
    for i in range(max(2, w // 70)):
        cx, cy, r = 35 + i * 60, h * 0.35, 14 if i % 2 else 20
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=STEEL, outline=OUTLINE, width=2)
    for i in range(max(1, w // 90)):
        x = 25 + i * 80
        draw.rectangle((x, h * 0.68, x + 55, h * 0.68 + 16), fill=STEEL, outline=OUTLINE, width=2)
        draw.line((x + 6, h * 0.68 + 8, x + 49, h * 0.68 + 8), fill=OUTLINE, width=1)


def _building(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    draw.rectangle((12, 12, w - 12, h - 12), fill=ROOF, outline=OUTLINE, width=2)
    for x in range(30, w - 20, 28):  # roof ridges
        draw.line((x, 14, x, h - 14), fill=(185, 180, 170, 255), width=1)


def _pipe_rack(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    for y in (h * 0.3, h * 0.7):
        draw.line((0, y, w, y), fill=(90, 90, 90, 255), width=2)
    for x in range(0, w, 24):  # steel bents
        draw.line((x, 0, x, h), fill=(120, 100, 90, 255), width=2)


def _vessel(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A reactor or pit seen from above, with its manway."""
    r = min(w, h) * 0.3
    cx, cy = w / 2, h / 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(200, 215, 230, 255), outline=OUTLINE, width=3)
    draw.ellipse((cx + r * 0.3, cy - r * 0.7, cx + r * 0.3 + 12, cy - r * 0.7 + 12), fill=OUTLINE)


DRAWERS = {
    "tank_farm_dike": _tanks,
    "fire_class_a": _process_unit,
    "fire_class_b": _building,
    "general": _building,
    "pipe_rack": _pipe_rack,
    "confined_space": _vessel,
}


def decorate_area(image: Image.Image, area: DemoArea) -> None:
    """Draw the area's equipment, clipped to its polygon so nothing spills past its outline."""
    xs, ys = [p[0] for p in area.plan_polygon], [p[1] for p in area.plan_polygon]
    left, top = min(xs), min(ys)
    w, h = max(xs) - left, max(ys) - top
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    DRAWERS[area.hazard_class](ImageDraw.Draw(layer), w, h)
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).polygon([(x - left, y - top) for x, y in area.plan_polygon], fill=255)
    layer.putalpha(ImageChops.darker(layer.getchannel("A"), mask))
    image.paste(layer, (left, top), layer)
