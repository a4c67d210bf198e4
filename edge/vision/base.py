"""What every detector backend takes and gives: a frame in, labelled boxes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in the frame's pixels


@dataclass(frozen=True)
class Frame:
    camera: str
    t: float  # seconds on the node's monotonic clock (scripted: the scene's time)
    image: np.ndarray[Any, Any]  # BGR, as OpenCV reads it


@dataclass(frozen=True)
class Detection:
    label: str  # "person", "helmet", "no_helmet", "harness", "suspended_load", "fire", "smoke", …
    confidence: float
    box: Box
    track_id: int | None = None  # set by a tracker (or by a scripted scene)
    attrs: dict[str, Any] = field(default_factory=dict)  # e.g. {"helmet": False, "role": "guardian"}

    @property
    def foot(self) -> tuple[float, float]:
        """Where a person stands: the bottom centre of the box (zones are drawn on the ground)."""
        return ((self.box[0] + self.box[2]) / 2, self.box[3])


class Detector(Protocol):
    """One backend. `detect` is synchronous and CPU-bound; the node runs it in a worker thread."""

    name: str

    def detect(self, frame: Frame) -> list[Detection]: ...
