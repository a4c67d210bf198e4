"""Synthesised liveness clips from one still photo: the head turned by a horizontal warp of the
face, blinks by painting the eyes shut, an open mouth by dropping the jaw. Checked to move dlib's
68 landmarks the way a real action does (see docs/media.md)."""

from __future__ import annotations

import cv2
import numpy as np

from backend.media import faces


def _grid(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    h, w = shape[:2]
    return np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))


def turn(img: np.ndarray, face: faces.Face, centre: float) -> np.ndarray:
    """Move the face's middle to `centre` (0–1 of its width): < 0.5 nose to the image's left."""
    left, _, right, _ = face.box
    mx, my = _grid(img.shape)
    u = (mx[:, left:right] - left) / (right - left)
    src = np.where(u < centre, 0.5 * u / centre, 0.5 + 0.5 * (u - centre) / (1 - centre))
    mx[:, left:right] = left + src * (right - left)
    return cv2.remap(img, mx, my, cv2.INTER_LINEAR)


def blink(img: np.ndarray, face: faces.Face) -> np.ndarray:
    out = img.copy()
    for part in (slice(36, 42), slice(42, 48)):
        eye = face.landmarks[part]
        x0, y0 = (eye.min(0) - 4).astype(int)
        x1, y1 = (eye.max(0) + 4).astype(int)
        h = y1 - y0
        out[y0:y1, x0:x1] = img[y0 + h : y1 + h, x0:x1]  # skin from under the eye
        cv2.line(out, (x0 + 2, (y0 + y1) // 2), (x1 - 2, (y0 + y1) // 2), (40, 30, 30), 2)
    return out


def open_mouth(img: np.ndarray, face: faces.Face, drop: int = 16) -> np.ndarray:
    pts = face.landmarks
    left, right, y0 = int(pts[4, 0]), int(pts[12, 0]), int(pts[62:67, 1].mean())
    mx, my = _grid(img.shape)
    my[y0:, left:right] -= drop
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR)
    width = int(0.4 * np.linalg.norm(pts[64] - pts[60]))
    centre = (int(pts[62:67, 0].mean()), y0 + drop // 2)
    cv2.ellipse(out, centre, (width, drop // 2), 0, 0, 360, (40, 15, 20), -1)
    return out


def clip(img: np.ndarray, actions: list[str], engine: faces.FaceEngine) -> list[np.ndarray]:
    """Neutral frames with each action held for three frames, in the given order."""
    face = faces.largest(engine.faces(img))
    assert face is not None
    pose = {
        "blink": lambda: blink(img, face),
        "turn_left": lambda: turn(img, face, 0.7),  # the person's left: nose to the image's right
        "turn_right": lambda: turn(img, face, 0.3),
        "open_mouth": lambda: open_mouth(img, face),
    }
    frames = [img, turn(img, face, 0.47), img]
    for action in actions:
        frames += [pose[action]()] * 3 + [img, turn(img, face, 0.53)]
    return frames
