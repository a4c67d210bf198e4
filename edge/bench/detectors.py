"""Milliseconds per 640 px frame of each detector backend that can run here (weights permitting)."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any

import numpy as np

from edge.config import DetectorConfig, HogDetector, OnnxDetector, UltralyticsDetector
from edge.vision.base import Frame
from edge.vision.registry import build


def frame() -> Frame:
    """A 640×480 yard-like frame: noise over a gradient (HOG's work depends on texture, not content)."""
    rng = np.random.default_rng(3)
    ramp = np.tile(np.linspace(40, 200, 640, dtype=np.float32), (480, 1))
    image = np.clip(ramp[:, :, None] + rng.normal(0, 25, (480, 640, 3)), 0, 255).astype(np.uint8)
    return Frame("bench", 0.0, image)


def one_core() -> None:
    """Every backend on one thread, so the figures compare backends and not thread pools."""
    import cv2

    cv2.setNumThreads(1)
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(1)


def time_detector(config: DetectorConfig, rounds: int) -> dict[str, Any]:
    one_core()
    try:
        detector = build(config)
    except (FileNotFoundError, RuntimeError, ImportError) as exc:
        return {"ms_per_frame": None, "note": str(exc).split(" (")[0]}
    f = frame()
    detector.detect(f)  # warm-up (session init, first allocation)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        detector.detect(f)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "ms_per_frame": round(times[len(times) // 2], 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def backends(onnx: str | None, pt: str | None, tmp: Path) -> dict[str, DetectorConfig]:
    """hog always; onnx and ultralytics on the given weights or, when ultralytics is installed, on a
    YOLOv8n built from its yaml (random weights: the same arithmetic per frame as trained ones)."""
    if (onnx is None or pt is None) and importlib.util.find_spec("ultralytics") is not None:
        from edge.train import offline

        yolo = offline()
        built = tmp / "yolov8n.pt"
        yolo("yolov8n.yaml").save(str(built))
        pt = pt or str(built)
        onnx = onnx or str(yolo(str(built)).export(format="onnx", imgsz=640, opset=17, simplify=False))
    out: dict[str, DetectorConfig] = {"hog": HogDetector()}
    out["onnx"] = OnnxDetector(path=onnx or "models/yolov8n.onnx", threads=1)
    out["ultralytics"] = UltralyticsDetector(path=pt or "models/yolov8n.pt")
    return out
