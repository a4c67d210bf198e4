"""Draw the app icons (a white safety helmet on safety orange) into public/icons/.

Drawn from shapes rather than a font, so it needs only Pillow and gives the same PNGs on any machine.
Run from anywhere: `../.venv/bin/python scripts/make_icons.py` (or `npm run icons`).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ORANGE = (242, 107, 29, 255)  # safety orange, the theme colour in manifest.webmanifest
BLUE = (21, 76, 160, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
SUPERSAMPLE = 4  # draw large, then downscale: anti-aliased edges without a vector renderer
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def _helmet(draw: ImageDraw.ImageDraw, cx: float, cy: float, w: float) -> None:
    """A hard hat `w` wide centred on (cx, cy): dome, ridge, brim, and a blue band under it."""
    dome_h = w * 0.62
    top = cy - dome_h * 0.75 + w * 0.08  # optical centre: the band below the brim balances the dome
    draw.pieslice((cx - w * 0.40, top, cx + w * 0.40, top + dome_h * 2 * 0.80), 180, 360, fill=WHITE)
    ridge_w = w * 0.10
    draw.rounded_rectangle(
        (cx - ridge_w / 2, top - w * 0.03, cx + ridge_w / 2, top + dome_h * 0.80),
        radius=ridge_w / 2,
        fill=ORANGE,
    )
    brim_top = top + dome_h * 0.80 - w * 0.01
    draw.rounded_rectangle(
        (cx - w / 2, brim_top, cx + w / 2, brim_top + w * 0.11), radius=w * 0.055, fill=WHITE
    )
    band_top = brim_top + w * 0.19
    draw.rounded_rectangle(
        (cx - w * 0.30, band_top, cx + w * 0.30, band_top + w * 0.09), radius=w * 0.045, fill=BLUE
    )


def draw_icon(size: int, maskable: bool) -> Image.Image:
    """`maskable` icons fill the square and keep the glyph inside the 80 % safe circle."""
    big = size * SUPERSAMPLE
    img = Image.new("RGBA", (big, big), CLEAR)
    draw = ImageDraw.Draw(img)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=ORANGE)
        glyph_w = big * 0.56
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=ORANGE)
        glyph_w = big * 0.72
    _helmet(draw, big / 2, big / 2, glyph_w)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    outputs = {
        "icon-192.png": draw_icon(192, maskable=False),
        "icon-512.png": draw_icon(512, maskable=False),
        "maskable-192.png": draw_icon(192, maskable=True),
        "maskable-512.png": draw_icon(512, maskable=True),
        # iOS ignores transparency and masks the corners itself, so it gets the full-bleed version.
        "apple-touch-icon-180.png": draw_icon(180, maskable=True).convert("RGB"),
    }
    for name, image in outputs.items():
        image.save(OUT / name, optimize=True)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
