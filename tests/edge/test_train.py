"""`tezuo edge train` / `export` on a tiny generated dataset, one epoch, then the exported ONNX and the
.pt run as the edge's detectors. Needs the `edge-train` extra (torch, ~5.5 GB), which `.ci/run`
installs (`make edge-train`): it runs under CI=true (where a missing extra is a failure, not a skip),
and locally with TEZUO_EDGE_TRAIN=1 (docs/MODELS.md)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from edge.config import OnnxDetector, UltralyticsDetector
from edge.vision.base import Frame
from edge.vision.registry import build

IN_CI = os.environ.get("CI") == "true"
pytestmark = pytest.mark.skipif(
    not IN_CI and os.environ.get("TEZUO_EDGE_TRAIN") != "1",
    reason="set TEZUO_EDGE_TRAIN=1 with the edge-train extra (`make edge-train`); CI always runs it",
)


def test_train_one_epoch_export_onnx_and_run_both_backends(tmp_path):
    if not IN_CI:
        pytest.importorskip("ultralytics")
    from edge.train import export, make_dataset, train

    data = make_dataset(tmp_path / "ds", images=8, size=64)
    best = train(data, "yolov8n.yaml", epochs=1, imgsz=64, out=tmp_path / "out", batch=4)
    assert best.is_file()
    onnx_path = export(best, imgsz=64)
    assert onnx_path.suffix == ".onnx" and onnx_path.is_file()
    image = np.full((64, 64, 3), 90, np.uint8)
    image[10:50, 20:36] = 230  # a 'person' like the training boxes
    frame = Frame("c", 0, image)
    # One epoch learns little, so compare at a low threshold: our letterbox + decode + NMS on the ONNX
    # must find the same top box as ultralytics' own pipeline on the .pt.
    onnx = build(OnnxDetector(path=str(onnx_path), labels=["person"], confidence=0.0001))
    pt = build(UltralyticsDetector(path=str(best), input_size=64, confidence=0.0001))
    ours, theirs = onnx.detect(frame), pt.detect(frame)
    assert ours and theirs
    top_ours, top_theirs = max(ours, key=lambda d: d.confidence), max(theirs, key=lambda d: d.confidence)
    assert top_ours.label == top_theirs.label == "person"
    assert top_ours.confidence == pytest.approx(top_theirs.confidence, abs=0.02)
    assert top_ours.box == pytest.approx(top_theirs.box, abs=2)
