"""Liveness checks: issue a random challenge, then judge the one clip that answers it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.config import Settings
from backend.core.errors import Conflict, Invalid, NotFound
from backend.media import faces, liveness, video
from backend.media.faces_part import decide, engine_for, require_consent, threshold_for, unseal
from backend.media.models import FaceCheck, FaceTemplate

CHALLENGE_TTL = timedelta(minutes=5)


async def _template(
    db: AsyncSession, eng: faces.FaceEngine, now: datetime, person_id: uuid.UUID
) -> FaceTemplate | None:
    return await db.scalar(
        select(FaceTemplate).where(
            FaceTemplate.person_id == person_id,
            FaceTemplate.engine == eng.name,
            FaceTemplate.expires_at > now,
        )
    )


async def start(db: AsyncSession, settings: Settings, now: datetime, person_id: uuid.UUID) -> FaceCheck:
    """A new challenge (random order of actions), valid for a few minutes, answered once.

    Liveness proves that a live person is in front of the camera, not *who* they are: without an
    enrolled face to compare with, a pass would let anyone stand in for the worker. So a person
    with no valid enrolment is refused before any challenge (`face_not_enrolled`)."""
    await require_consent(db, person_id)
    eng = engine_for(settings)
    if await _template(db, eng, now, person_id) is None:
        raise Conflict(
            "尚未登记人脸：请先登记人脸（或用证件照比对后登记），再做活体检测",
            code="face_not_enrolled",
        )
    check = FaceCheck(
        person_id=person_id,
        kind="liveness",
        engine=eng.name,
        threshold=threshold_for(settings, eng),
        decision="pending",
        detail={"actions": liveness.challenge(), "expires_at": (now + CHALLENGE_TTL).isoformat()},
        actor_id=person_id,
        created_at=now,
    )
    db.add(check)
    await db.flush()
    return check


async def get_check(db: AsyncSession, check_id: uuid.UUID) -> FaceCheck:
    check = await db.get(FaceCheck, check_id)
    if check is None or check.kind != "liveness":
        raise NotFound("活体检测不存在", code="liveness_unknown")
    return check


def landmarks_of(
    eng: faces.FaceEngine, frames: list[np.ndarray]
) -> tuple[list[np.ndarray | None], np.ndarray | None]:
    """Per-frame 68 landmarks of the largest face, and the embedding of the first face seen."""
    marks: list[np.ndarray | None] = []
    first: np.ndarray | None = None
    for rgb in frames:
        face = faces.largest(eng.faces(rgb))
        marks.append(None if face is None else face.landmarks)
        if face is not None and first is None:
            first = eng.embed(rgb, face)
    return marks, first


async def answer(
    db: AsyncSession, settings: Settings, now: datetime, check: FaceCheck, clip: Path, sha256: str
) -> FaceCheck:
    """Judge the clip: not a replay, the actions in order, moving (not a still), the enrolled face."""
    if check.decision != "pending":
        raise Conflict("该活体检测已完成，请重新发起", code="liveness_decided")
    if now > datetime.fromisoformat(check.detail["expires_at"]):
        raise Invalid("挑战已过期，请重新发起", code="liveness_expired")
    replay = await db.scalar(select(FaceCheck.id).where(FaceCheck.clip_sha256 == sha256).limit(1))
    detail = dict(check.detail)
    if replay is not None:
        detail["reason"] = "replay"
        check.decision = "fail"
    else:
        eng = engine_for(settings)
        frames = await asyncio.to_thread(video.sample_frames, clip, 40)
        marks, first = await asyncio.to_thread(landmarks_of, eng, frames)
        result = liveness.judge(marks, list(detail["actions"]))
        tpl = await _template(db, eng, now, check.person_id)
        match = decide(eng, check.threshold, first, unseal(settings, tpl.template_enc)) if tpl else None
        check.distance = match.distance if match else None
        detail.update(
            reason=result.reason, done=result.done, motion=round(result.motion, 3), frames=len(frames)
        )
        # No template (withdrawn or expired since the challenge began): never a pass.
        detail["face"] = match.decision if match else "not_enrolled"
        ok = result.passed and match is not None and match.decision == "match"
        if result.passed and not ok:
            detail["reason"] = "face_mismatch" if match else "not_enrolled"
        check.decision = "pass" if ok else "fail"
    check.detail, check.clip_sha256, check.decided_at = detail, sha256, now
    await db.flush()
    await audit.record(
        db,
        now,
        action="face.liveness",
        entity="face_check",
        entity_id=check.id,
        actor_id=check.person_id,
        details={"decision": check.decision, "reason": detail["reason"], "sha256": sha256},
    )
    return check
