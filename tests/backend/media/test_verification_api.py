"""Face consent, enrolment, comparison, liveness and practical-exam videos over HTTP, with the
real models and real (synthesised) video files."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest
from sqlalchemy import delete, func, select

from backend.config import Settings
from backend.db.engine import transaction
from backend.media import faces, samples, video
from backend.media.models import ExamVideo, FaceTemplate
from backend.workers.models import PracticalAssessment
from tests.backend.media.frames import clip
from tests.factories import make_person

JPEG = {"content-type": "image/jpeg"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, exam_min_seconds=2.0)


async def _people(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        return {
            "welder": await make_person(db, key, org.team_a, "赵铁柱"),
            "hr": await make_person(db, key, org.enterprise, "林人事", [("hr", org.enterprise)]),
        }


async def _count(sessionmaker, model) -> int:
    async with transaction(sessionmaker) as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_face_processing_needs_the_persons_own_consent_and_matches_them(
    client_as, sessionmaker, settings, org
):
    p = await _people(sessionmaker, settings, org)
    me, hr = await client_as(p["welder"]), await client_as(p["hr"])
    base = f"/api/media/faces/{p['welder'].id}"
    portrait = samples.jpeg_bytes(np.asarray(samples.astronaut_portrait()))

    before = await hr.post(f"{base}/enrolment", content=portrait, headers=JPEG)
    assert before.status_code == 403 and before.json()["code"] == "face_consent_required"
    assert (await hr.post(f"{base}/consent")).json()["code"] == "self_only"  # nobody consents for you
    granted = await me.post(f"{base}/consent")
    assert granted.status_code == 200 and granted.json()["granted"] is True

    enrolled = await hr.post(f"{base}/enrolment", content=portrait, headers=JPEG)
    assert enrolled.status_code == 201, enrolled.text
    same = (
        await me.post(f"{base}/compare", content=samples.jpeg_bytes(samples.selfie(1)), headers=JPEG)
    ).json()
    assert same["decision"] == "match" and same["distance"] < same["threshold"]
    stranger = samples.jpeg_bytes(samples.other_person(40))
    other = (await me.post(f"{base}/compare", content=stranger, headers=JPEG)).json()
    assert other["decision"] == "no_match" and other["distance"] > other["threshold"]
    blank = samples.jpeg_bytes(np.full((300, 300, 3), 200, np.uint8))
    assert (await me.post(f"{base}/compare", content=blank, headers=JPEG)).json()["decision"] == "no_face"

    withdrawn = await me.post(f"{base}/consent/withdraw")
    assert withdrawn.json() == {
        "person_id": str(p["welder"].id),
        "granted": False,
        "notice_version": None,
        "granted_at": None,
        "templates_deleted": 1,
    }
    assert await _count(sessionmaker, FaceTemplate) == 0
    after = await me.post(f"{base}/compare", content=portrait, headers=JPEG)
    assert after.json()["code"] == "face_consent_required"


async def test_liveness_clip_must_perform_the_challenge_and_cannot_be_replayed(
    client_as, sessionmaker, settings, org, tmp_path
):
    p = await _people(sessionmaker, settings, org)
    me = await client_as(p["welder"])
    base = f"/api/media/faces/{p['welder'].id}"
    await me.post(f"{base}/consent")
    unenrolled = await me.post(f"{base}/liveness")  # alive, but nobody to say who: no challenge
    assert (unenrolled.status_code, unenrolled.json()["code"]) == (409, "face_not_enrolled")
    await me.post(f"{base}/enrolment", content=samples.jpeg_bytes(samples.selfie(2)), headers=JPEG)

    started = (await me.post(f"{base}/liveness")).json()
    actions = started["detail"]["actions"]
    frames = clip(samples.astronaut(), actions, faces.engine("dlib"))
    video.write_clip(tmp_path / "live.webm", frames)
    body = (tmp_path / "live.webm").read_bytes()
    url = f"/api/media/faces/liveness/{started['id']}/clip"
    judged = await me.post(url, content=body, headers={"content-type": "video/webm"})
    assert judged.status_code == 201, judged.text
    out = judged.json()
    assert out["decision"] == "pass", out
    assert [a for a, _ in out["detail"]["done"]] == actions and out["detail"]["face"] == "match"
    assert (await me.post(url, content=body)).json()["code"] == "liveness_decided"

    replay_check = (await me.post(f"{base}/liveness")).json()
    replayed = await me.post(f"/api/media/faces/liveness/{replay_check['id']}/clip", content=body)
    assert replayed.json()["decision"] == "fail" and replayed.json()["detail"]["reason"] == "replay"

    still_check = (await me.post(f"{base}/liveness")).json()
    video.write_clip(tmp_path / "still.webm", [samples.astronaut()] * 12)
    still = await me.post(
        f"/api/media/faces/liveness/{still_check['id']}/clip", content=(tmp_path / "still.webm").read_bytes()
    )
    assert still.json()["decision"] == "fail" and still.json()["detail"]["reason"] == "still_image"

    purged_check = (await me.post(f"{base}/liveness")).json()  # the template goes (retention) meanwhile
    async with transaction(sessionmaker) as db:
        await db.execute(delete(FaceTemplate))
    fresh = clip(samples.astronaut(), purged_check["detail"]["actions"], faces.engine("dlib"))
    video.write_clip(tmp_path / "fresh.webm", fresh)
    purged = await me.post(
        f"/api/media/faces/liveness/{purged_check['id']}/clip", content=(tmp_path / "fresh.webm").read_bytes()
    )
    out = purged.json()
    assert (out["decision"], out["detail"]["reason"], out["detail"]["face"]) == (
        "fail",
        "not_enrolled",
        "not_enrolled",
    )
    assert not list((settings.media_dir / "tmp").glob("*"))  # clips are judged, never kept


async def test_exam_video_is_checked_stored_with_its_hash_and_reviewed(
    client_as, sessionmaker, settings, org, tmp_path
):
    p = await _people(sessionmaker, settings, org)
    me, hr = await client_as(p["welder"]), await client_as(p["hr"])
    await me.post(f"/api/media/faces/{p['welder'].id}/consent")
    await me.post(
        f"/api/media/faces/{p['welder'].id}/enrolment",
        content=samples.jpeg_bytes(np.asarray(samples.astronaut_portrait())),
        headers=JPEG,
    )
    url = f"/api/media/exam-videos/?person_id={p['welder'].id}&item_key=mem:02-01"
    frames = [samples.astronaut()] * 15
    video.write_clip(tmp_path / "exam.webm", frames, fps=5)  # 3 s; the test minimum is 2 s
    video.write_clip(tmp_path / "short.webm", frames[:5], fps=5)
    video.write_clip(tmp_path / "mjpeg.mkv", frames, fps=5, codec="mjpeg")
    bad = [
        ((tmp_path / "short.webm").read_bytes(), "exam_too_short"),
        ((tmp_path / "mjpeg.mkv").read_bytes(), "video_codec"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 2000, "video_corrupt"),
        (b"", "upload_empty"),
    ]
    for content, code in bad:
        r = await me.post(url, content=content)
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert await _count(sessionmaker, ExamVideo) == 0
    assert (
        not any((settings.media_dir / "exams").glob("*")) if (settings.media_dir / "exams").exists() else True
    )

    up = await me.post(url, content=(tmp_path / "exam.webm").read_bytes())
    assert up.status_code == 201, up.text
    row = up.json()
    assert row["codec"] == "vp8" and row["duration_s"] >= 2.0 and row["face_distance"] < 0.6
    import hashlib

    assert row["sha256"] == hashlib.sha256((tmp_path / "exam.webm").read_bytes()).hexdigest()
    review = {
        "passed": True,
        "assessor": "王考评",
        "steps": [
            {"step": "运条", "at_s": 1.5},
            {"step": "引弧", "at_s": 0.2},
            {"step": "收弧", "at_s": 2.8},
        ],
    }
    assert (await me.post(f"/api/media/exam-videos/{row['id']}/review", json=review)).status_code == 403
    late = {**review, "steps": [{"step": "收弧", "at_s": 99}]}
    assert (await hr.post(f"/api/media/exam-videos/{row['id']}/review", json=late)).json()["code"] == (
        "exam_step_invalid"
    )
    done = (await hr.post(f"/api/media/exam-videos/{row['id']}/review", json=review)).json()
    assert done["status"] == "passed" and [s["step"] for s in done["steps"]] == ["引弧", "运条", "收弧"]
    assert await _count(sessionmaker, PracticalAssessment) == 1
    got = await me.get(f"/api/media/exam-videos/{row['id']}/file")
    assert got.status_code == 200 and got.content == (tmp_path / "exam.webm").read_bytes()
