"""Face engines on real images: same/different pairs against the threshold, the liveness judge on
still and moving clips, and the ArcFace directory loader as far as it runs without weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from backend.media import faces, liveness, samples
from backend.media.faces.arcface_engine import ModelDirError, find_recognition_model, five_points
from backend.media.faces_part import embed_largest
from tests.backend.media.frames import clip


@pytest.fixture(scope="module")
def dlib_engine() -> faces.FaceEngine:
    return faces.engine("dlib")


def test_same_person_is_under_the_threshold_and_others_are_over(dlib_engine):
    ref = embed_largest(dlib_engine, np.asarray(samples.astronaut_portrait()))
    assert ref is not None and ref.shape == (128,)
    same = [dlib_engine.distance(ref, embed_largest(dlib_engine, samples.selfie(v))) for v in range(3)]
    others = [embed_largest(dlib_engine, samples.other_person(i)) for i in (0, 30, 60)]
    diff = [dlib_engine.distance(ref, v) for v in others if v is not None]
    assert len(diff) == 3
    assert max(same) < dlib_engine.threshold < min(diff)
    assert embed_largest(dlib_engine, np.full((200, 200, 3), 127, np.uint8)) is None


def test_liveness_passes_the_actions_in_order_and_fails_stills_and_wrong_orders(dlib_engine):
    img = samples.astronaut()
    actions = ["turn_left", "blink", "open_mouth"]
    frames = clip(img, actions, dlib_engine)
    marks = [f.landmarks if (f := faces.largest(dlib_engine.faces(x))) else None for x in frames]
    good = liveness.judge(marks, actions)
    assert good.passed, good
    assert [a for a, _ in good.done] == actions
    assert not liveness.judge(marks, ["open_mouth", "turn_left", "blink"]).passed  # not in that order
    assert not liveness.judge(marks, ["turn_right", "blink", "open_mouth"]).passed  # never turned right
    still = [marks[0]] * len(marks)
    assert liveness.judge(still, actions).reason == "still_image"
    assert liveness.judge([None] * 10, actions).reason == "no_face"


def test_challenges_are_random_orders_of_distinct_actions():
    seen = {tuple(liveness.challenge()) for _ in range(30)}
    assert len(seen) > 5 and all(len(set(c)) == 3 and set(c) <= set(liveness.ACTIONS) for c in seen)


def test_arcface_loader_explains_what_is_missing(tmp_path):
    with pytest.raises(ModelDirError, match="does not exist"):
        find_recognition_model(tmp_path / "buffalo_l")
    with pytest.raises(ModelDirError, match=r"no \.onnx file"):
        find_recognition_model(tmp_path)
    # A real ONNX model of the wrong kind (the OCR recogniser that ships with rapidocr): refused,
    # with its input shape named, so an operator sees which file is wrong.
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    shutil.copy(models / "ch_ppocr_mobile_v2.0_cls_infer.onnx", tmp_path / "w600k_r50.onnx")
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    with pytest.raises(
        ModelDirError, match=r"broken\.onnx: InvalidProtobuf.*w600k_r50\.onnx: input \[None, 3"
    ):
        find_recognition_model(tmp_path)
    with pytest.raises(ValueError, match="unknown face engine"):
        faces.engine("facenet")


def test_arcface_alignment_points_come_from_the_68_landmarks(dlib_engine):
    face = faces.largest(dlib_engine.faces(samples.astronaut()))
    pts = five_points(face.landmarks)
    assert pts.shape == (5, 2)
    assert pts[0, 0] < pts[2, 0] < pts[1, 0]  # left eye, nose, right eye from left to right
    assert pts[2, 1] < pts[3, 1] and pts[2, 1] < pts[4, 1]  # mouth corners below the nose
