"""dlib's HOG face detector, 68-point shape predictor and ResNet-29 128-d embeddings, with the model
files shipped by the `face_recognition_models` wheel (nothing is downloaded)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from backend.media.faces import Face

# dlib's own figure for its ResNet model is 0.6 (99.38 % on LFW); docs/media.md lists the distances
# measured on our test pairs. Stricter values trade false accepts for false rejects.
THRESHOLD = 0.6


class DlibEngine:
    name = "dlib"
    threshold = THRESHOLD

    def __init__(self) -> None:
        self._models: tuple[Any, Any, Any] | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any, Any]:
        if self._models is None:
            with self._lock:
                if self._models is None:
                    try:
                        import dlib
                        import face_recognition_models as frm
                    except ImportError as exc:
                        raise RuntimeError("face matching needs the `media` extra") from exc
                    self._models = (
                        dlib.get_frontal_face_detector(),
                        dlib.shape_predictor(frm.pose_predictor_model_location()),
                        dlib.face_recognition_model_v1(frm.face_recognition_model_location()),
                    )
        return self._models

    def faces(self, rgb: np.ndarray) -> list[Face]:

        detector, predictor, _ = self._load()
        img = np.ascontiguousarray(rgb)
        rects = detector(img, 0)
        if not rects and max(img.shape[:2]) < 1000:  # a small face in a small image: look closer
            rects = detector(img, 1)
        out = []
        for rect in rects:
            shape = predictor(img, rect)
            pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
            out.append(Face((rect.left(), rect.top(), rect.right(), rect.bottom()), pts))
        return out

    def embed(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        import dlib

        _, predictor, rec = self._load()
        img = np.ascontiguousarray(rgb)
        shape = predictor(img, dlib.rectangle(*face.box))
        return np.array(rec.compute_face_descriptor(img, shape), dtype=np.float32)

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b))
