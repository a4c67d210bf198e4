"""ArcFace embeddings from an operator-supplied model directory (e.g. insightface's `buffalo_l`).

No package ships ArcFace weights, so this backend only runs where the operator has copied a
directory in. Detection and landmarks stay dlib's; the 5 alignment points come from the 68, and
the face is warped to the 112×112 ArcFace template before the ONNX recognition model runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from backend.media.faces import Face
from backend.media.faces.dlib_engine import DlibEngine

# The standard ArcFace 112×112 alignment template: left eye, right eye, nose tip, mouth corners.
TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float32,
)
# Cosine distance (1 − cos). UNCALIBRATED here (no weights on this machine): the operator measures
# their own pairs and sets TEZUO_FACE_THRESHOLD; 0.6 ≈ cosine similarity 0.4, insightface's usual cut.
THRESHOLD = 0.6


class ModelDirError(RuntimeError):
    pass


def find_recognition_model(model_dir: Path) -> tuple[Any, str]:
    """(onnxruntime session, input name) of the directory's model with a 3×112×112 input and a
    flat embedding output; `ModelDirError` saying what is missing otherwise."""
    if not model_dir.is_dir():
        raise ModelDirError(f"ArcFace model directory {model_dir} does not exist")
    candidates = sorted(model_dir.glob("*.onnx"))
    if not candidates:
        raise ModelDirError(f"no .onnx file in {model_dir} (copy insightface's buffalo_l there)")
    import onnxruntime as ort

    reasons = []
    for path in candidates:
        try:
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as exc:  # a corrupt or foreign file: say which and keep looking
            reasons.append(f"{path.name}: {exc.__class__.__name__}")
            continue
        inp, out = session.get_inputs()[0], session.get_outputs()[0]
        if list(inp.shape[1:]) == [3, 112, 112] and len(out.shape) == 2:
            return session, inp.name
        reasons.append(f"{path.name}: input {inp.shape}, output {out.shape}")
    raise ModelDirError(f"no ArcFace recognition model (input N×3×112×112) in {model_dir}: {reasons}")


def five_points(landmarks: np.ndarray) -> np.ndarray:
    """Eye centres, nose tip and mouth corners from the 68 iBUG points."""
    return np.array(
        [
            landmarks[36:42].mean(axis=0),
            landmarks[42:48].mean(axis=0),
            landmarks[30],
            landmarks[48],
            landmarks[54],
        ],
        dtype=np.float32,
    )


def align(rgb: np.ndarray, face: Face) -> np.ndarray:
    import cv2

    matrix, _ = cv2.estimateAffinePartial2D(five_points(face.landmarks), TEMPLATE)
    return cv2.warpAffine(np.ascontiguousarray(rgb), matrix, (112, 112), borderValue=0.0)


class ArcFaceEngine:
    name = "arcface"
    threshold = THRESHOLD

    def __init__(self, model_dir: Path) -> None:
        self.session, self.input_name = find_recognition_model(Path(model_dir))
        self._detector = DlibEngine()

    def faces(self, rgb: np.ndarray) -> list[Face]:
        return self._detector.faces(rgb)

    def embed(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        crop = align(rgb, face).astype(np.float32)
        blob = ((crop - 127.5) / 127.5).transpose(2, 0, 1)[None]
        vec = np.asarray(self.session.run(None, {self.input_name: blob})[0][0], dtype=np.float32)
        return vec / (np.linalg.norm(vec) or 1.0)

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(1.0 - np.dot(a, b))
