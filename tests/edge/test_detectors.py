"""Detector backends on real runtimes: onnxruntime on a generated YOLO-shaped graph, OpenCV's HOG, camera
sampling from a real video file and the ±clip_s ring buffer; the registry imports a backend only on use."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from edge.config import Camera, HogDetector, OnnxDetector, ScriptedDetector
from edge.vision.base import Frame
from edge.vision.camera import ClipRecorder, OpenCvSource
from edge.vision.registry import build


def yolo_like(path, candidates: np.ndarray) -> None:
    """A graph with YOLOv8's interface — images (1,3,640,640) → (1, 4+classes, N) — whose output is
    `candidates` (plus 0 × the image mean, so the input is really read)."""
    const = numpy_helper.from_array(candidates.astype(np.float32)[None], "candidates")
    zero = numpy_helper.from_array(np.array(0.0, np.float32), "zero")
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["candidates", "nothing"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "yolo_like",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 640, 640])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, *candidates.shape])],
        [const, zero],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def test_onnx_letterboxes_decodes_and_suppresses_overlaps(tmp_path):
    # columns: cx, cy, w, h (input pixels), score person, score helmet
    rows = np.array(
        [
            [320, 320, 100, 200, 0.9, 0.0],
            [322, 318, 100, 200, 0.8, 0.0],  # the same person again: NMS drops it
            [100, 100, 20, 20, 0.0, 0.2],
        ]
    )  # below the confidence threshold
    yolo_like(tmp_path / "m.onnx", rows.T)
    detector = build(OnnxDetector(path=str(tmp_path / "m.onnx"), labels=["person", "helmet"]))
    found = detector.detect(Frame("c", 0, np.zeros((480, 640, 3), np.uint8)))  # padded 80 px top and bottom
    assert [(d.label, round(d.confidence, 2)) for d in found] == [("person", 0.9)]
    assert found[0].box == pytest.approx((270, 140, 370, 340))


def test_onnx_without_weights_says_where_they_go(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"MODELS\.md"):
        build(OnnxDetector(path=str(tmp_path / "missing.onnx")))


def test_hog_runs_at_640_and_sees_nobody_in_an_empty_yard():
    detector = build(HogDetector())
    assert detector.detect(Frame("c", 0, np.full((480, 640, 3), 128, np.uint8))) == []


def test_the_registry_imports_no_backend_until_a_camera_uses_it():
    code = (
        "import sys, edge.node, edge.vision.registry; "
        "print(sorted(m for m in ('onnxruntime', 'ultralytics', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_file_camera_is_sampled_and_an_alarm_gets_a_clip_from_before_to_after(tmp_path):
    video = tmp_path / "cam.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 10, (320, 240))
    for i in range(60):  # 6 s at 10 fps, the frame number drawn in
        image = np.zeros((240, 320, 3), np.uint8)
        cv2.putText(image, str(i), (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
        writer.write(image)
    writer.release()
    camera = Camera(
        name="c", source=str(video), detector=ScriptedDetector(script="crane"), sample_fps=2, clip_s=1
    )
    frames = list(OpenCvSource(camera).frames())
    times = [round(f.t, 1) for f in frames]
    assert len(frames) == 12 and times[:3] == [0.0, 0.5, 1.0]
    recorder = ClipRecorder(clip_s=1, fps=2, out_dir=tmp_path / "clips")
    written = []
    for f in frames:
        written += recorder.add(f)
        if abs(f.t - 2.0) < 1e-6:
            path = recorder.mark("alarm-1", f.t)
    assert written == [path]
    clip = cv2.VideoCapture(str(path))
    assert int(clip.get(cv2.CAP_PROP_FRAME_COUNT)) == 5  # t = 1.0, 1.5, 2.0, 2.5, 3.0
    clip.release()
