"""`tezuo edge train DATASET` / `tezuo edge export WEIGHTS`: fine-tune a YOLO model on a site's labelled
images with ultralytics and write the ONNX the edge runs. Needs the `edge-train` extra (torch).

Offline by construction: YOLO_OFFLINE=1 and no auto-install; the model is built from its yaml
(`yolov8n.yaml`, `yolo11n.yaml`: architecture only, random weights) or from a `.pt` the operator
supplies (`--model path/to/start.pt`) — nothing is downloaded.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any


def offline() -> Any:
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "false"
    try:
        from ultralytics import YOLO
    except ImportError as exc:
        raise SystemExit("training needs the optional extra: pip install -e '.[edge-train]'") from exc
    return YOLO


def train(data: Path, model: str, epochs: int, imgsz: int, out: Path, batch: int = 8) -> Path:
    """Train and return the best weights (.pt). `data` is an ultralytics dataset yaml."""
    yolo = offline()(model)
    yolo.train(
        data=str(data),
        epochs=epochs,
        imgsz=imgsz,
        batch=batch,
        device="cpu",
        workers=0,
        project=str(out.resolve()),
        name="train",
        exist_ok=True,
        pretrained=model.endswith(".pt"),
        amp=False,
        plots=False,
        verbose=False,
    )
    best = out / "train" / "weights" / "best.pt"
    return best if best.is_file() else out / "train" / "weights" / "last.pt"


def export(weights: Path, imgsz: int) -> Path:
    """The ONNX beside the weights (opset 17, static shape, no simplifier: what onnxruntime runs)."""
    path = offline()(str(weights)).export(format="onnx", imgsz=imgsz, opset=17, simplify=False, dynamic=False)
    return Path(path)


def make_dataset(root: Path, images: int = 16, size: int = 96, seed: int = 1) -> Path:
    """A tiny labelled dataset (grey yards with a bright 'person' box) for smoke-testing the pipeline."""
    import cv2
    import numpy as np

    rng = random.Random(seed)
    for split in ("train", "val"):
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        for i in range(images if split == "train" else max(2, images // 4)):
            image = np.full((size, size, 3), 60 + rng.randrange(60), np.uint8)
            w, h = rng.randrange(size // 6, size // 3), rng.randrange(size // 3, size // 2)
            x, y = rng.randrange(0, size - w), rng.randrange(0, size - h)
            cv2.rectangle(image, (x, y), (x + w, y + h), (230, 230, 230), -1)
            cv2.imwrite(str(root / "images" / split / f"{i}.jpg"), image)
            label = f"0 {(x + w / 2) / size:.5f} {(y + h / 2) / size:.5f} {w / size:.5f} {h / size:.5f}\n"
            (root / "labels" / split / f"{i}.txt").write_text(label)
    data = root / "data.yaml"
    data.write_text(f"path: {root.resolve()}\ntrain: images/train\nval: images/val\nnames:\n  0: person\n")
    return data
