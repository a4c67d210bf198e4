"""The detector registry: type → "module:Class", imported only when a camera uses it.

onnxruntime, ultralytics (and torch) are heavy; a node that runs `hog` never imports them.
"""

from __future__ import annotations

import importlib
from typing import Any

from edge.config import DetectorConfig
from edge.vision.base import Detector

DETECTORS: dict[str, str] = {
    "onnx": "edge.vision.onnx:OnnxDetector",
    "ultralytics": "edge.vision.yolo_pt:UltralyticsDetector",
    "hog": "edge.vision.hog:HogDetector",
    "scripted": "edge.vision.scripted:ScriptedDetector",
}


def build(config: DetectorConfig) -> Detector:
    """The detector a camera's `[cameras.detector]` table asks for (by its `type`)."""
    kind = type(config).__struct_config__.tag
    module, _, attr = DETECTORS[str(kind)].partition(":")
    cls: Any = getattr(importlib.import_module(module), attr)
    detector: Detector = cls(config)
    return detector
