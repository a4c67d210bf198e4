"""The scripted detector: returns what a scene says is in view at the frame's time (tests, sim, bench)."""

from __future__ import annotations

from edge.config import ScriptedDetector as ScriptedConfig
from edge.sim.scenes import Scene, load
from edge.vision.base import Detection, Frame


class ScriptedDetector:
    name = "scripted"

    def __init__(self, config: ScriptedConfig, scene: Scene | None = None):
        self.scene = scene or load(config.script)

    def detect(self, frame: Frame) -> list[Detection]:
        return self.scene.at(frame.t)
