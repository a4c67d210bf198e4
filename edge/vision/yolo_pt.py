"""A YOLO `.pt` checkpoint through ultralytics (the optional `edge-train` extra brings torch)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from edge.config import UltralyticsDetector as UltralyticsConfig
from edge.vision.base import Detection, Frame


class UltralyticsDetector:
    name = "ultralytics"

    def __init__(self, config: UltralyticsConfig):
        os.environ.setdefault("YOLO_OFFLINE", "1")  # never reach a hub for weights or fonts
        try:
            from ultralytics import YOLO
        except ImportError as exc:
            raise RuntimeError("the ultralytics detector needs `pip install -e '.[edge-train]'`") from exc
        path = Path(config.path)
        if not path.is_file():
            raise FileNotFoundError(f"YOLO weights not found at {path} (docs/MODELS.md: how to supply them)")
        self.config = config
        self.model: Any = YOLO(str(path))  # typed loosely: the extra is absent where CI type-checks

    def detect(self, frame: Frame) -> list[Detection]:
        (result,) = self.model.predict(
            frame.image, imgsz=self.config.input_size, conf=self.config.confidence, verbose=False
        )
        names, boxes = result.names, result.boxes
        out: list[Detection] = []
        if boxes is None:
            return out
        for box, cls, conf in zip(boxes.xyxy.tolist(), boxes.cls.tolist(), boxes.conf.tolist(), strict=True):
            out.append(Detection(str(names[int(cls)]), float(conf), (box[0], box[1], box[2], box[3])))
        return out
