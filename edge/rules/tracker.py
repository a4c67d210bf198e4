"""Track people across frames (greedy IoU matching) and attach PPE detections to the person wearing them.

Scripted scenes carry their own track ids; real detectors do not. A PPE model reports `helmet` /
`no_helmet` / `harness` / `no_harness` boxes; a person's attribute is known only when such a box
sits on them (unknown is not a violation: a COCO-only model cannot alarm on helmets).
"""

from __future__ import annotations

from dataclasses import replace

from edge.vision.base import Box, Detection

PPE = {
    "helmet": ("helmet", True),
    "no_helmet": ("helmet", False),
    "head": ("helmet", False),
    "harness": ("harness", True),
    "no_harness": ("harness", False),
    "guardian_vest": ("role", "guardian"),
}


def iou(a: Box, b: Box) -> float:
    x1, y1, x2, y2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _centre_in(inner: Box, outer: Box) -> bool:
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


class Tracker:
    def __init__(self, min_iou: float = 0.3, max_age_s: float = 3.0):
        self.min_iou, self.max_age_s = min_iou, max_age_s
        self.tracks: dict[int, tuple[Box, float]] = {}  # id → (last box, last seen)
        self.next_id = 1

    def update(self, detections: list[Detection], t: float) -> list[Detection]:
        """People get a track id (kept when already set) and their PPE attributes; others pass through."""
        people = [d for d in detections if d.label == "person"]
        others = [d for d in detections if d.label != "person"]
        out: list[Detection] = []
        free = {k: v for k, v in self.tracks.items() if t - v[1] <= self.max_age_s}
        for person in sorted(people, key=lambda d: -d.confidence):
            track = person.track_id
            if track is None:
                best = max(free.items(), key=lambda kv: iou(kv[1][0], person.box), default=None)
                if best is not None and iou(best[1][0], person.box) >= self.min_iou:
                    track = best[0]
                else:
                    track, self.next_id = self.next_id, self.next_id + 1
            free.pop(track, None)
            self.tracks[track] = (person.box, t)
            attrs = dict(person.attrs)
            for item in others:
                if item.label in PPE and _centre_in(item.box, person.box):
                    key, value = PPE[item.label]
                    attrs.setdefault(key, value)
            out.append(replace(person, track_id=track, attrs=attrs))
        self.tracks = {k: v for k, v in self.tracks.items() if t - v[1] <= self.max_age_s}
        return out + [d for d in others if d.label not in PPE]
