"""The OCR engine: PaddleOCR's PP-OCRv4 det/cls/rec ONNX models as shipped in the
`rapidocr_onnxruntime` wheel, loaded lazily once per process and shared by its threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Line:
    """One detected text line: its four corner points (clockwise from top-left), text, score."""

    box: tuple[tuple[float, float], ...]
    text: str
    score: float

    @property
    def center(self) -> tuple[float, float]:
        xs, ys = zip(*self.box, strict=True)
        return sum(xs) / 4, sum(ys) / 4

    @property
    def height(self) -> float:
        (_, y0), (_, y1), (_, y2), (_, y3) = self.box
        return (abs(y3 - y0) + abs(y2 - y1)) / 2 or 1.0


_engine: Any = None
_lock = threading.Lock()  # one model load per process; onnxruntime sessions are thread-safe to run


def engine() -> Any:
    """The process's RapidOCR instance (the ONNX files come from the installed wheel)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError as exc:  # the optional `media` extra is not installed
                    raise RuntimeError("OCR needs the `media` extra: pip install -e '.[media]'") from exc
                _engine = RapidOCR()
    return _engine


def read_lines(rgb: np.ndarray) -> list[Line]:
    """Text lines of an RGB image (H×W×3 uint8), in the engine's reading order."""
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    result, _ = engine()(bgr)
    lines = []
    for box, text, score in result or []:
        pts = tuple((float(x), float(y)) for x, y in box)
        lines.append(Line(pts, str(text), float(score)))
    return lines
