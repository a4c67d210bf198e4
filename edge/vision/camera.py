"""Camera sources (file / RTSP / HTTP through OpenCV, or a scripted scene), frame sampling, and the ring
buffer that writes a clip from `clip_s` before to `clip_s` after each alarm."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from edge.config import Camera
from edge.vision.base import Frame


class OpenCvSource:
    """Reads a stream and yields frames at `sample_fps`; files are sampled on their own timeline,
    live streams on the node's clock. A dropped stream is reopened (RTSP cameras reboot)."""

    def __init__(self, camera: Camera):
        self.camera = camera
        self.is_file = Path(camera.source).is_file()

    def frames(self) -> Iterator[Frame]:
        period = 1.0 / self.camera.sample_fps
        next_t = 0.0
        cap = cv2.VideoCapture(self.camera.source)
        start = time.monotonic()
        try:
            while True:
                ok, image = cap.read()
                if not ok:
                    if self.is_file:
                        return
                    cap.release()
                    time.sleep(1.0)
                    cap = cv2.VideoCapture(self.camera.source)
                    continue
                t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000 if self.is_file else time.monotonic() - start
                if t + 1e-6 >= next_t:
                    next_t = t + period
                    yield Frame(self.camera.name, t, image)
        finally:
            cap.release()


class ScriptedSource:
    """Blank frames on the scene's timeline (the scripted detector supplies what is 'seen')."""

    def __init__(self, camera: Camera, duration_s: float, width: int = 640, height: int = 480):
        self.camera, self.duration_s = camera, duration_s
        self.image = np.full((height, width, 3), 90, dtype=np.uint8)

    def frames(self) -> Iterator[Frame]:
        period = 1.0 / self.camera.sample_fps
        n = 0
        while n * period < self.duration_s:
            yield Frame(self.camera.name, n * period, self.image)
            n += 1


def jpeg(image: np.ndarray[Any, Any], quality: int = 80) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf)


@dataclass
class _Pending:
    alarm_id: str
    t: float


class ClipRecorder:
    """Keeps the last `clip_s` seconds of sampled frames (JPEG, to bound memory) and, `clip_s` after an
    alarm, writes the frames from t − clip_s to t + clip_s as an MJPEG AVI (plays everywhere, no codec
    licence needed)."""

    def __init__(self, clip_s: float, fps: float, out_dir: Path):
        self.clip_s, self.fps, self.out_dir = clip_s, fps, out_dir
        self.frames: deque[tuple[float, bytes]] = deque()
        self.pending: list[_Pending] = []

    def add(self, frame: Frame) -> list[Path]:
        """Buffer a frame; returns the clips that became complete with it."""
        self.frames.append((frame.t, jpeg(frame.image)))
        oldest_needed = min([p.t for p in self.pending] + [frame.t]) - self.clip_s
        while self.frames and self.frames[0][0] < oldest_needed:
            self.frames.popleft()
        done = [p for p in self.pending if frame.t >= p.t + self.clip_s]
        self.pending = [p for p in self.pending if p not in done]
        return [self._write(p) for p in done]

    def mark(self, alarm_id: str, t: float) -> Path:
        """An alarm at t: its clip will be written to the returned path once t + clip_s is buffered."""
        self.pending.append(_Pending(alarm_id, t))
        return self.out_dir / f"{alarm_id}.avi"

    def _write(self, p: _Pending) -> Path:
        path = self.out_dir / f"{p.alarm_id}.avi"
        path.parent.mkdir(parents=True, exist_ok=True)
        chosen = [data for t, data in self.frames if p.t - self.clip_s <= t <= p.t + self.clip_s]
        images = [_decode(data) for data in chosen]
        h, w = images[0].shape[:2]
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), self.fps, (w, h))
        try:
            for image in images:
                writer.write(image)
        finally:
            writer.release()
        return path


def _decode(data: bytes) -> np.ndarray[Any, Any]:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("a buffered frame is not a JPEG")
    return image
