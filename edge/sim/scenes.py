"""Scripted camera scenes: what a detector would see, segment by segment, for tests, demos and the bench.

A segment is one tracked object over [from_s, to_s): its label, box and attributes. A person who
changes (unclips a harness) is two segments with the same id. `expect` marks the rule a segment
should make alarm (the ground truth the bench scores false alarms against).
"""

from __future__ import annotations

import random
from typing import Any

import msgspec

from edge.vision.base import Detection


class Segment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: int
    label: str = "person"
    from_s: float
    to_s: float
    box: tuple[float, float, float, float]
    attrs: dict[str, Any] = {}
    expect: str | None = None  # the alarm kind this segment must raise (None: it must not)


class Scene(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    duration_s: float
    width: int = 640
    height: int = 480
    segments: list[Segment]

    def at(self, t: float) -> list[Detection]:
        return [
            Detection(s.label, 0.9, s.box, s.id, dict(s.attrs))
            for s in self.segments
            if s.from_s <= t < s.to_s
        ]


HEIGHT_BOX = (100.0, 100.0, 160.0, 260.0)  # stands inside the height zone of the example config
CRANE_BOX = (400.0, 200.0, 460.0, 380.0)  # stands inside the crane radius
LOAD_BOX = (380.0, 60.0, 520.0, 140.0)
YARD_BOX = (250.0, 300.0, 310.0, 470.0)  # the open yard: no zone


def harness(unclipped_s: float) -> Scene:
    """A worker at height, unclipped for `unclipped_s`, clipped before and after."""
    on = {"helmet": True, "harness": True}
    off = {"helmet": True, "harness": False}
    start = 5.0
    return Scene(
        name=f"harness_{unclipped_s:g}s",
        duration_s=start + unclipped_s + 10,
        segments=[
            Segment(id=1, from_s=0, to_s=start, box=HEIGHT_BOX, attrs=on),
            Segment(
                id=1,
                from_s=start,
                to_s=start + unclipped_s,
                box=HEIGHT_BOX,
                attrs=off,
                expect="no_harness" if unclipped_s >= 5 else None,
            ),
            Segment(
                id=1, from_s=start + unclipped_s, to_s=start + unclipped_s + 10, box=HEIGHT_BOX, attrs=on
            ),
        ],
    )


def crane() -> Scene:
    """A person walks into the crane radius under a suspended load and stays."""
    kit = {"helmet": True, "harness": True}
    return Scene(
        name="crane",
        duration_s=20,
        segments=[
            Segment(id=1, from_s=0, to_s=4, box=YARD_BOX, attrs=kit),
            Segment(id=1, from_s=4, to_s=20, box=CRANE_BOX, attrs=kit, expect="person_under_load"),
            Segment(id=9, label="suspended_load", from_s=0, to_s=20, box=LOAD_BOX),
        ],
    )


def shift(seconds: float = 3600, seed: int = 7) -> Scene:
    """An hour of a busy yard for the bench: mostly compliant people passing through, brief glitches a
    real detector makes (a helmet missed for a frame or two, a harness adjusted for 2 s), and a few
    real violations that must alarm."""
    rng = random.Random(seed)
    segments: list[Segment] = []
    kit = {"helmet": True, "harness": True}
    next_id = 100
    t = 0.0
    while t < seconds - 60:
        next_id += 1
        stay = rng.uniform(20, 60)
        where = rng.choice([YARD_BOX, HEIGHT_BOX])
        segments.append(Segment(id=next_id, from_s=t, to_s=t + stay, box=where, attrs=kit))
        event = rng.random()
        if event < 0.5:  # a glitch: a missed helmet / an adjusted harness, 0.5–2.5 s
            g0 = t + rng.uniform(2, stay - 5)
            attr = "helmet" if where == YARD_BOX or rng.random() < 0.5 else "harness"
            segments.append(
                Segment(
                    id=next_id,
                    from_s=g0,
                    to_s=g0 + rng.uniform(0.5, 2.5),
                    box=where,
                    attrs=kit | {attr: False},
                )
            )
        elif event < 0.6:  # a real one: no helmet for 15–30 s
            g0 = t + 2
            segments.append(
                Segment(
                    id=next_id,
                    from_s=g0,
                    to_s=g0 + rng.uniform(15, 30),
                    box=where,
                    attrs=kit | {"helmet": False},
                    expect="no_helmet",
                )
            )
        t += stay + rng.uniform(1, 10)
    return Scene(name="shift", duration_s=seconds, segments=_resolve(segments))


def _resolve(segments: list[Segment]) -> list[Segment]:
    """Where an event segment overlaps its person's base segment, cut the base around it."""
    out: list[Segment] = []
    events = [s for s in segments if s.attrs != {"helmet": True, "harness": True}]
    for s in segments:
        if s in events:
            out.append(s)
            continue
        cuts = sorted((e.from_s, e.to_s) for e in events if e.id == s.id)
        start = s.from_s
        for a, b in cuts:
            if a > start:
                out.append(msgspec.structs.replace(s, from_s=start, to_s=a))
            start = max(start, b)
        if start < s.to_s:
            out.append(msgspec.structs.replace(s, from_s=start))
    return out


BUILT_IN = {
    "harness_2s": lambda: harness(2),
    "harness_10s": lambda: harness(10),
    "crane": crane,
    "shift": shift,
}


def load(name_or_path: str) -> Scene:
    if name_or_path in BUILT_IN:
        return BUILT_IN[name_or_path]()
    with open(name_or_path, "rb") as f:
        return msgspec.json.decode(f.read(), type=Scene)
