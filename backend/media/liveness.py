"""Active liveness: did the face in these frames perform the challenge's actions, in order?

Per frame, from the 68 landmarks: eye aspect ratio (Soukupová & Čech 2016: closed eyes drop it),
a yaw proxy (where the nose tip sits between the jaw's two ends: −1 far left … +1 far right, in
image coordinates) and the inner-mouth opening ratio. A still photo held to the camera shows no
change at all; a replayed clip is caught by its hash before this runs.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import numpy as np

ACTIONS = ("blink", "turn_left", "turn_right", "open_mouth")
EAR_DROP = 0.75  # a blink: EAR below 75 % of the clip's open-eye baseline…
TURN = 0.25  # a turn: the nose tip a quarter of the face width off centre
MOUTH_OPEN = 0.35  # inner lip gap / mouth width
STILL = 1.0  # mean landmark motion (pixels, face scaled to 200 px) below this: a still image


@dataclass(frozen=True)
class FrameMetrics:
    ear: float
    yaw: float
    mouth: float


@dataclass
class LivenessResult:
    passed: bool
    reason: str
    done: list[tuple[str, int]] = field(default_factory=list)  # (action, frame index)
    motion: float = 0.0


def challenge(rng: random.Random | None = None, length: int = 3) -> list[str]:
    """A random order of `length` distinct actions (never both turns adjacent to each other)."""
    rng = rng or random.SystemRandom()
    return rng.sample(ACTIONS, length)


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def eye_aspect_ratio(eye: np.ndarray) -> float:
    return (_dist(eye[1], eye[5]) + _dist(eye[2], eye[4])) / (2 * _dist(eye[0], eye[3]) or 1.0)


def metrics(pts: np.ndarray) -> FrameMetrics:
    ear = (eye_aspect_ratio(pts[36:42]) + eye_aspect_ratio(pts[42:48])) / 2
    left, right, nose = pts[0, 0], pts[16, 0], pts[30, 0]
    yaw = 2 * (nose - left) / ((right - left) or 1.0) - 1
    mouth = _dist(pts[62], pts[66]) / (_dist(pts[60], pts[64]) or 1.0)
    return FrameMetrics(ear, float(yaw), mouth)


def _hit(action: str, m: FrameMetrics, baseline_ear: float) -> bool:
    if action == "blink":
        return m.ear < EAR_DROP * baseline_ear
    # Frames are the camera's (not the mirrored preview): turning to one's own left moves the
    # nose towards the image's right.
    if action == "turn_left":
        return m.yaw > TURN
    if action == "turn_right":
        return m.yaw < -TURN
    return m.mouth > MOUTH_OPEN


def motion(landmarks: list[np.ndarray]) -> float:
    """Mean landmark movement between consecutive frames, faces scaled to 200 px wide."""
    if len(landmarks) < 2:
        return 0.0
    moves = []
    for a, b in itertools.pairwise(landmarks):
        scale = 200.0 / max(np.ptp(a[:, 0]), 1.0)
        moves.append(float(np.mean(np.linalg.norm((b - a) * scale, axis=1))))
    return float(np.mean(moves))


def judge(landmarks: list[np.ndarray | None], actions: list[str]) -> LivenessResult:
    """Each action must be seen after the previous one; frames without a face are skipped."""
    seen = [(i, p) for i, p in enumerate(landmarks) if p is not None]
    if len(seen) < max(4, len(actions) + 1):
        return LivenessResult(False, "no_face", motion=0.0)
    pts = [p for _, p in seen]
    move = motion(pts)
    if move < STILL:
        return LivenessResult(False, "still_image", motion=move)
    per = [(i, metrics(p)) for i, p in seen]
    baseline = float(np.percentile([m.ear for _, m in per], 80))
    done: list[tuple[str, int]] = []
    k = 0
    for action in actions:
        while k < len(per) and not _hit(action, per[k][1], baseline):
            k += 1
        if k == len(per):
            return LivenessResult(False, f"missing:{action}", done, move)
        done.append((action, per[k][0]))
        # The next action starts once this one is over (eyes reopened, head back, mouth shut).
        while k < len(per) and _hit(action, per[k][1], baseline):
            k += 1
    return LivenessResult(True, "ok", done, move)
