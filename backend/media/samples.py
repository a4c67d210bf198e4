"""Face test images from installed packages (nothing in the repo, nothing downloaded):
`skimage.data.astronaut()` (NASA, public domain) and the 25×25 LFW faces of `skimage.data.lfw_subset()`."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageEnhance


@lru_cache(maxsize=1)
def astronaut() -> np.ndarray:
    from skimage import data

    return np.asarray(data.astronaut())


def astronaut_portrait() -> Image.Image:
    """The astronaut's head and shoulders, portrait-shaped like a certificate photo."""
    return Image.fromarray(astronaut()).crop((120, 20, 320, 290))


def selfie(variant: int = 0) -> np.ndarray:
    """The same person as a phone selfie: rescaled, slightly rotated, lit differently, recompressed."""
    img = Image.fromarray(astronaut()).crop((60, 0, 400, 340))
    img = img.rotate((-6, 4, 0, 8)[variant % 4], Image.Resampling.BICUBIC)
    img = ImageEnhance.Brightness(img).enhance((1.2, 0.8, 1.0, 1.1)[variant % 4])
    img = img.resize((480, 480))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=(55, 70, 85, 45)[variant % 4])
    return np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("RGB"))


def other_person(index: int) -> np.ndarray:
    """One of the LFW subset's faces (indexes 0–99 are faces), upscaled onto a grey canvas."""
    from skimage import data

    face = data.lfw_subset()[index]
    px = (face * 255 if face.max() <= 1 else face).astype(np.uint8)
    canvas = Image.new("L", (320, 320), 128)
    canvas.paste(Image.fromarray(px).resize((160, 160), Image.Resampling.BICUBIC), (80, 80))
    return np.asarray(canvas.convert("RGB"))


def jpeg_bytes(rgb: np.ndarray, quality: int = 85) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=quality)
    return out.getvalue()
