"""Face engines behind one small protocol; backends are imported lazily from a registry."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # left, top, right, bottom
    landmarks: np.ndarray  # 68×2 (x, y), iBUG 300-W order

    @property
    def area(self) -> int:
        left, top, right, bottom = self.box
        return (right - left) * (bottom - top)


class FaceEngine(Protocol):
    """Detect faces with 68-point landmarks and turn one into an embedding; smaller distance = same."""

    name: str
    threshold: float  # distance at or below which two faces are taken for the same person

    def faces(self, rgb: np.ndarray) -> list[Face]: ...

    def embed(self, rgb: np.ndarray, face: Face) -> np.ndarray: ...

    def distance(self, a: np.ndarray, b: np.ndarray) -> float: ...


# key → "module:Class"; a backend is imported only when chosen (its packages may be absent).
ENGINES = {
    "dlib": "backend.media.faces.dlib_engine:DlibEngine",
    "arcface": "backend.media.faces.arcface_engine:ArcFaceEngine",
}
_cache: dict[tuple[str, str], FaceEngine] = {}
_lock = threading.Lock()


def engine(kind: str = "dlib", model_dir: Path | None = None) -> FaceEngine:
    """The process's engine of `kind` (built once; the models load on first use)."""
    if kind not in ENGINES:
        raise ValueError(f"unknown face engine {kind!r}; choose one of {sorted(ENGINES)}")
    key = (kind, str(model_dir or ""))
    with _lock:
        if key not in _cache:
            module, _, cls = ENGINES[kind].partition(":")
            factory = getattr(importlib.import_module(module), cls)
            _cache[key] = factory(model_dir) if model_dir else factory()
        return _cache[key]


def largest(faces: list[Face]) -> Face | None:
    return max(faces, key=lambda f: f.area) if faces else None
