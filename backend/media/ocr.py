"""The OCR engine: PaddleOCR's PP-OCRv4 det/cls/rec ONNX models as shipped in the
`rapidocr_onnxruntime` wheel, loaded lazily once per process and shared by its threads.

Tuned for one card per call on a few shared CPU cores (docs/MODELS.md, `tezuo bench media`):
* onnxruntime sessions without intra-op spin-waiting: spinning threads burn CPU while they wait
  for work, and on a loaded machine they compete with the threads doing it (−35 % CPU per card);
* the detector sees the image at most `DET_SIDE` px on its longest side (the wheel's default
  *enlarges* the short side to 736 px);
* recognition one crop at a time: a batch is padded to its widest crop, which costs more than
  the batching saves on CPU;
* no 0°/180° line classifier: the photo is upright from its EXIF orientation and the layout
  undoes ±10°; a photo in which no card family is found is read again turned 180°
  (`scans_part.read_card`), which also puts the rows back in order for the layout.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

DET_SIDE = 960  # longest side the text detector sees; card text stays ≥ 14 px high
REC_BATCH = 1  # crops per recognition run


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


def _session(path: str, threads: int) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


def _build() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # the optional `media` extra is not installed
        raise RuntimeError("OCR needs the `media` extra: pip install -e '.[media]'") from exc
    eng = RapidOCR(det_limit_side_len=DET_SIDE, det_limit_type="max", rec_batch_num=REC_BATCH)
    threads = max(1, min(os.cpu_count() or 1, 4))
    # The wheel (pinned 1.4.4) builds its sessions with spinning on and no way to turn it off:
    # swap each for a session of the same model file with our options.
    for holder in (eng.text_det.infer, eng.text_rec.session):
        holder.session = _session(holder.session._model_path, threads)
    return eng


def engine() -> Any:
    """The process's RapidOCR instance (the ONNX files come from the installed wheel)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = _build()
    return _engine


def read_lines(rgb: np.ndarray) -> list[Line]:
    """Text lines of an RGB image (H×W×3 uint8), in the engine's reading order."""
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    result, _ = engine()(bgr, use_cls=False)
    lines = []
    for box, text, score in result or []:
        pts = tuple((float(x), float(y)) for x, y in box)
        lines.append(Line(pts, str(text), float(score)))
    return lines
