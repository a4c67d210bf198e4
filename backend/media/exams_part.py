"""Practical-exam videos (实操考核视频): stored with their SHA-256, checked (container, codec,
minimum duration, the enrolled worker's face at the start), reviewed by an assessor whose
pass/fail becomes the worker's practical-assessment record."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.catalog.service import item as catalog_item
from backend.config import Settings
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.ids import uuid7
from backend.media import store, video
from backend.media.faces_part import consent_of, decide, engine_for, threshold_for, unseal
from backend.media.liveness_part import landmarks_of
from backend.media.models import ExamVideo, FaceTemplate
from backend.people.models import Person
from backend.workers import records_part
from backend.workers import service as workers
from backend.workers.schemas import AssessmentIn

STEPS = {"welding": ("引弧", "运条", "收弧")}  # the welding exam's steps; other items: free steps
FACE_WINDOW_S = 10.0  # the worker's face must be seen in the first seconds


def exam_dir(settings: Settings) -> Path:
    return settings.media_dir / "exams"


async def _face_distance(
    db: AsyncSession, settings: Settings, now: datetime, person_id: uuid.UUID, path: Path
) -> float | None:
    """Distance between the enrolled face and the face at the start; None without consent/enrolment."""
    if await consent_of(db, person_id) is None:
        return None
    eng = engine_for(settings)
    tpl = await db.scalar(
        select(FaceTemplate).where(
            FaceTemplate.person_id == person_id,
            FaceTemplate.engine == eng.name,
            FaceTemplate.expires_at > now,
        )
    )
    if tpl is None:
        return None
    frames = await asyncio.to_thread(video.sample_frames, path, 5, 640, FACE_WINDOW_S)
    _, first = await asyncio.to_thread(landmarks_of, eng, frames)
    result = decide(eng, threshold_for(settings, eng), first, unseal(settings, tpl.template_enc))
    if result.decision != "match":
        raise Invalid("视频开头未见到该作业人员本人（人脸不符或未检测到人脸）", code="exam_face_mismatch")
    return result.distance


async def add_video(
    db: AsyncSession,
    settings: Settings,
    now: datetime,
    person: Person,
    actor_id: uuid.UUID,
    item_key: str,
    upload: Path,
    sha256: str,
    size: int,
    restore: bool = False,
) -> ExamVideo:
    """Check the uploaded file (already on disk, outside the store) and keep it; `Invalid` otherwise.
    `restore`: the file goes back to `upload` if the transaction rolls back (resumable uploads)."""
    catalog_item(workers.context(db, settings, now).catalog, item_key)
    info = await asyncio.to_thread(video.probe, upload)
    if info.duration_s < settings.exam_min_seconds:
        raise Invalid(
            f"视频时长 {info.duration_s:.0f} 秒，少于规定的 {settings.exam_min_seconds:.0f} 秒",
            code="exam_too_short",
        )
    distance = await _face_distance(db, settings, now, person.id, upload)
    vid = uuid7()
    ext = "webm" if "webm" in info.container else "mp4"
    row = ExamVideo(
        id=vid,
        person_id=person.id,
        scope_path=person.unit_path,
        item_key=item_key,
        file=f"{vid}.{ext}",
        sha256=sha256,
        size=size,
        container=info.container[:32],
        codec=info.codec,
        duration_s=round(info.duration_s, 2),
        face_distance=distance,
        uploaded_by=actor_id,
        created_at=now,
    )
    db.add(row)
    await db.flush()
    await audit.record(
        db,
        now,
        action="exam_video.upload",
        entity="exam_video",
        entity_id=row.id,
        actor_id=actor_id,
        details={
            "person_id": str(person.id),
            "sha256": sha256,
            "size": size,
            "duration_ms": int(row.duration_s * 1000),
        },
    )
    # Last, and only on commit: nothing is stored when a check refused it or the commit failed.
    store.move_on_commit(db, upload, exam_dir(settings) / row.file, restore)
    return row


async def get_video(db: AsyncSession, video_id: uuid.UUID) -> ExamVideo:
    row = await db.get(ExamVideo, video_id)
    if row is None:
        raise NotFound("考核视频不存在", code="exam_video_unknown")
    return row


async def review(
    ctx: workers.Ctx,
    row: ExamVideo,
    person: Person,
    assessor: str,
    passed: bool,
    steps: list[tuple[str, float]],
    note: str,
) -> ExamVideo:
    """The assessor's marks (step, seconds into the video) and result → a practical-assessment record."""
    if row.status != "uploaded":
        raise Conflict("该视频已评定", code="exam_video_reviewed")
    for step, at in steps:
        if not step.strip() or not 0 <= at <= row.duration_s:
            raise Invalid(f"步骤“{step}”的时间点 {at} 不在视频时长内", code="exam_step_invalid")
    await records_part.add_assessment(
        ctx,
        person,
        AssessmentIn(
            item_key=row.item_key, assessed_on=ctx.today, passed=passed, assessor=assessor, note=note
        ),
    )
    row.steps = [{"step": s.strip(), "at_s": round(a, 1)} for s, a in sorted(steps, key=lambda x: x[1])]
    row.status, row.note = ("passed" if passed else "failed"), note
    row.reviewed_by, row.reviewed_at = ctx.actor_id, ctx.now
    await ctx.db.flush()
    await audit.record(
        ctx.db,
        ctx.now,
        action="exam_video.review",
        entity="exam_video",
        entity_id=row.id,
        actor_id=ctx.actor_id,
        details={"passed": passed, "steps": [[m["step"], int(m["at_s"] * 1000)] for m in row.steps]},
    )
    return row
