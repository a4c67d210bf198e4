"""A YOLO (v8/11 layout) model exported to ONNX, run with onnxruntime on the CPU: the edge default.

Output layout: (1, 4 + classes, candidates), rows cx, cy, w, h in input pixels, then class scores.
The frame is letterboxed to a square `input_size`; boxes are mapped back to frame pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from edge.config import OnnxDetector as OnnxConfig
from edge.vision.base import Detection, Frame
from edge.vision.coco import COCO


def letterbox(image: np.ndarray[Any, Any], size: int) -> tuple[np.ndarray[Any, Any], float, int, int]:
    """Keep the aspect ratio, pad to size×size with grey: (NCHW float tensor, scale, pad x, pad y)."""
    h, w = image.shape[:2]
    scale = min(size / h, size / w)
    nh, nw = round(h * scale), round(w * scale)
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    canvas = np.full((size, size, 3), 114, dtype=np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    canvas[py : py + nh, px : px + nw] = resized
    tensor = canvas[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255.0  # BGR → RGB, NCHW
    return np.ascontiguousarray(tensor), scale, px, py


def decode(
    output: np.ndarray[Any, Any],
    labels: list[str],
    confidence: float,
    iou: float,
    scale: float,
    px: int,
    py: int,
    frame_size: tuple[int, int],
) -> list[Detection]:
    """Boxes above `confidence`, class-wise NMS, mapped back to the frame and clipped to it."""
    rows = output[0].T  # (candidates, 4 + classes)
    scores = rows[:, 4:]
    cls = scores.argmax(axis=1)
    conf = scores[np.arange(len(rows)), cls]
    keep = conf >= confidence
    rows, cls, conf = rows[keep], cls[keep], conf[keep]
    if not len(rows):
        return []
    cx, cy, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    x1, y1 = (cx - w / 2 - px) / scale, (cy - h / 2 - py) / scale
    boxes = np.stack([x1, y1, w / scale, h / scale], axis=1)
    picked = cv2.dnn.NMSBoxesBatched(boxes.tolist(), conf.tolist(), cls.tolist(), confidence, iou)
    height, width = frame_size
    out = []
    for i in np.asarray(picked).reshape(-1):
        bx, by, bw, bh = boxes[i]
        x1, y1 = float(np.clip(bx, 0, width)), float(np.clip(by, 0, height))
        x2, y2 = float(np.clip(bx + bw, 0, width)), float(np.clip(by + bh, 0, height))
        name = labels[cls[i]] if cls[i] < len(labels) else str(int(cls[i]))
        out.append(Detection(name, float(conf[i]), (x1, y1, x2, y2)))
    return out


class OnnxDetector:
    name = "onnx"

    def __init__(self, config: OnnxConfig):
        import onnxruntime as ort

        path = Path(config.path)
        if not path.is_file():
            raise FileNotFoundError(f"ONNX weights not found at {path} (docs/MODELS.md: how to supply them)")
        self.config = config
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = config.threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        side = self.session.get_inputs()[0].shape[2]  # a static export fixes its input size
        self.size = side if isinstance(side, int) else config.input_size
        classes = self.session.get_outputs()[0].shape[1]
        n = classes - 4 if isinstance(classes, int) else len(COCO)
        self.labels = config.labels or (list(COCO) if n == len(COCO) else [str(i) for i in range(n)])

    def detect(self, frame: Frame) -> list[Detection]:
        tensor, scale, px, py = letterbox(frame.image, self.size)
        (output,) = self.session.run(None, {self.input: tensor})[:1]
        size = (frame.image.shape[0], frame.image.shape[1])
        return decode(output, self.labels, self.config.confidence, self.config.iou, scale, px, py, size)
