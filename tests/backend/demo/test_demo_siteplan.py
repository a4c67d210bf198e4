"""Site plan PNGs: drawn at the plan's size, with hazard colours, with or without a CJK font."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from backend.demo.plan import plan_demo
from backend.demo.siteplan import HAZARD_STYLE, find_cjk_font, render_site_plan


def test_site_plan_renders_without_any_cjk_font(tmp_path: Path) -> None:
    site = plan_demo().sites[0]
    target = tmp_path / "plans" / f"{site.code}.png"
    render_site_plan(site, target, font_path=None)
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (site.width, site.height)
        tank_farm = next(a for a in site.areas if a.hazard_class == "tank_farm_dike")
        x, y = tank_farm.plan_polygon[0]
        pixel = image.convert("RGB").getpixel((x + 1, y + 1))
        assert pixel == HAZARD_STYLE["tank_farm_dike"][0]  # the dike's outline in its class colour


def test_site_plan_uses_a_cjk_font_when_the_system_has_one(tmp_path: Path) -> None:
    font = find_cjk_font()
    assert font is None or font.is_file()
    site = plan_demo().sites[1]
    render_site_plan(site, tmp_path / "a.png", font)
    render_site_plan(site, tmp_path / "b.png", None)
    with Image.open(tmp_path / "a.png") as a, Image.open(tmp_path / "b.png") as b:
        assert a.size == b.size == (site.width, site.height)
        # Chinese labels are wider than area codes, so the two drawings differ when a font exists.
        assert (a.tobytes() != b.tobytes()) == (font is not None)
