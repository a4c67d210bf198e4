"""Untrusted image bytes → a bounded RGB array: type by magic bytes, size and pixel caps checked
before decoding (decompression bombs), truncated files refused, EXIF orientation applied."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from backend.core.errors import DomainError, Invalid

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo decodes to 120 MB of RGB; more is refused
WORK_SIDE = 960  # longest side the models see: card text stays ≥ 14 px high (= ocr.DET_SIDE)
# Magic bytes → extension: JPEG, PNG or WebP (RIFF….WEBP), nothing else.
TYPES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF", "webp"))


class TooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class WrongType(DomainError):
    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Decoded:
    rgb: np.ndarray  # H×W×3 uint8, upright, longest side ≤ the cap asked for
    ext: str
    width: int  # as stored, before the cap
    height: int


def sniff(body: bytes) -> str:
    """The image's extension from its first bytes, or `WrongType`."""
    ext = next((e for magic, e in TYPES if body.startswith(magic)), None)
    if ext is None or (ext == "webp" and body[8:12] != b"WEBP"):
        raise WrongType("只接受 JPEG、PNG 或 WebP 图片 (JPEG, PNG or WebP only)", code="image_type")
    return ext


def decode(body: bytes, max_side: int = WORK_SIDE, max_bytes: int = MAX_BYTES) -> Decoded:
    """Check and decode an uploaded image; every refusal is a `DomainError` with a reason."""
    if not body:
        raise Invalid("空文件 (empty upload)", code="image_empty")
    if len(body) > max_bytes:
        raise TooLarge(f"图片超过 {max_bytes // 1048576} MiB", code="image_too_large")
    ext = sniff(body)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(body))
            w, h = img.size  # read from the header, before any pixel is decoded
            if w * h > MAX_PIXELS:
                raise Invalid(
                    f"图片像素过多 ({w}×{h})，上限 {MAX_PIXELS // 1_000_000} 百万像素",
                    code="image_too_many_pixels",
                )
            if img.format == "JPEG":
                img.draft("RGB", (max_side, max_side))  # decode at reduced scale: less memory
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("图片像素过多 (decompression bomb)", code="image_too_many_pixels") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise Invalid(f"图片已损坏或不完整: {exc}", code="image_corrupt") from None
    upright = ImageOps.exif_transpose(img).convert("RGB")
    upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return Decoded(np.asarray(upright), ext, w, h)


def dhash(rgb: np.ndarray, size: int = 8) -> str:
    """64-bit difference hash (hex): near-identical photos differ in few bits."""
    small = Image.fromarray(rgb).convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
    px = np.asarray(small, dtype=np.int16)
    bits = (px[:, 1:] > px[:, :-1]).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):0{size * size // 4}x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
