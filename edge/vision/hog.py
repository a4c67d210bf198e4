"""OpenCV's built-in HOG + linear SVM people detector: person-in-zone rules with no weights at all."""

from __future__ import annotations

import cv2
import numpy as np

from edge.config import HogDetector as HogConfig
from edge.vision.base import Detection, Frame


class HogDetector:
    name = "hog"

    def __init__(self, config: HogConfig):
        self.config = config
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32))

    def detect(self, frame: Frame) -> list[Detection]:
        stride = (self.config.stride, self.config.stride)
        rects, weights = self.hog.detectMultiScale(frame.image, winStride=stride, scale=self.config.scale)
        out = []
        for (x, y, w, h), score in zip(rects, weights, strict=True):
            if float(score) >= self.config.min_score:
                out.append(
                    Detection("person", float(score), (float(x), float(y), float(x + w), float(y + h)))
                )
        return out
