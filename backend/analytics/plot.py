"""The evidence plot of a root-cause finding (PNG, Pillow): the gas series with its threshold and
anomalous bins shaded, and under it the SCADA signal that coincides, on the same time axis."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw

from backend.analytics.rootcause import BIN, Analysis

W, H, PAD = 960, 420, 48
GAS, ANOMALY, SIGNAL, GRID, INK = (21, 76, 160), (255, 214, 214), (232, 89, 12), (227, 230, 236), (29, 35, 48)


def _panel(
    draw: ImageDraw.ImageDraw, values: list[float | None], top: int, height: int, color: tuple[int, int, int]
) -> tuple[float, float]:
    known = [v for v in values if v is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    span = (hi - lo) or 1.0
    step = (W - 2 * PAD) / max(1, len(values) - 1)
    last = None
    for i, v in enumerate(values):
        if v is None:
            last = None
            continue
        pt = (PAD + i * step, top + height - (v - lo) / span * height)
        if last is not None:
            draw.line([last, pt], fill=color, width=1)
        last = pt
    draw.rectangle([PAD, top, W - PAD, top + height], outline=GRID)
    return lo, span


def evidence_png(
    code: str, a: Analysis, scada: dict[str, list[float | None]], utc_offset: timedelta
) -> bytes:
    img = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(img)
    n = len(a.bins)
    step = (W - 2 * PAD) / max(1, n - 1)
    gas_top, gas_h = PAD, 200 if scada else H - 2 * PAD
    for i, bad in enumerate(a.anomalous):  # shade the anomalous bins across both panels
        if bad:
            draw.rectangle(
                [PAD + i * step - step / 2, gas_top, PAD + i * step + step / 2, H - PAD], fill=ANOMALY
            )
    # day lines with the local date
    for i in range(n):
        local = a.start + i * BIN + utc_offset
        if local.hour == 0 and local.minute < 5:
            x = PAD + i * step
            draw.line([x, gas_top, x, H - PAD], fill=GRID)
            draw.text((x + 2, H - PAD + 4), local.strftime("%m-%d"), fill=INK)
    lo, span = _panel(draw, a.bins, gas_top, gas_h, GAS)
    y = gas_top + gas_h - (a.threshold - lo) / span * gas_h
    if gas_top <= y <= gas_top + gas_h:
        for x in range(PAD, W - PAD, 12):
            draw.line([x, y, x + 6, y], fill=(201, 42, 42))
    draw.text(
        (PAD, 8),
        f"{code}  verdict: {a.verdict}  baseline {a.baseline:g}  threshold {a.threshold:g} {a.unit}",
        fill=INK,
    )
    draw.text((PAD + 4, gas_top + 4), f"gas max/5 min, {a.unit} (peak {lo + span:g})", fill=GAS)
    for tag, values in list(scada.items())[:1]:
        top = gas_top + gas_h + 30
        slo, sspan = _panel(draw, values, top, H - PAD - top, SIGNAL)
        draw.text((PAD + 4, top + 4), f"{tag} ({slo:g} .. {slo + sspan:g})", fill=SIGNAL)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
