"""Practical-exam video endpoints: one-piece upload, resumable chunked upload, the assessor's
queue, the file, and the review."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File
from sqlalchemy import or_, select

from backend.http.deps import Caller, Conf, Db, Now
from backend.media import exam_uploads_part as chunks
from backend.media import service, uploads
from backend.media.guards import ASSESS, self_or_managed
from backend.media.models import ExamUpload, ExamVideo
from backend.media.schemas import ExamReviewIn, ExamUploadIn, ExamUploadOut, ExamVideoOut
from backend.media.views import video_out
from backend.workers import service as workers
from backend.workers.guards_part import managed

ExamStatus = Literal["uploaded", "passed", "failed"]


def upload_out(row: ExamUpload) -> ExamUploadOut:
    return ExamUploadOut(
        id=row.id,
        person_id=row.person_id,
        item_key=row.item_key,
        size=row.size,
        offset=row.received,
        chunk_max=chunks.CHUNK_MAX,
        expires_at=row.expires_at,
    )


class ExamVideosController(Controller):
    path = "/api/media/exam-videos"
    tags = ["media"]

    @post("/", operation_id="uploadExamVideo", request_max_body_size=chunks.MAX_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromQuery[uuid.UUID],
        item_key: FromQuery[str],
    ) -> ExamVideoOut:
        """The exam recording as the raw body (WebM/MP4, H.264/VP8/VP9/AV1, ≥ the minimum length)."""
        person = await self_or_managed(db, principal, person_id)
        path, sha, size = await uploads.receive(request, settings.media_dir / "tmp", chunks.MAX_BYTES)
        try:
            row = await service.add_video(
                db, settings, now, person, principal.person_id, item_key, path, sha, size
            )
        finally:
            path.unlink(missing_ok=True)  # moved into the store on success; dropped on refusal
        return video_out(row)

    @get("/", operation_id="listExamVideos")
    async def queue(
        self, db: Db, principal: Caller, status: FromQuery[ExamStatus] = "uploaded"
    ) -> list[ExamVideoOut]:
        """The assessor's queue: videos in the caller's assessed scopes, oldest first."""
        scopes = sorted({g.scope_path for g in principal.grants if g.role in ASSESS})
        if not scopes:
            return []
        rows = await db.scalars(
            select(ExamVideo)
            .where(ExamVideo.status == status, or_(*[ExamVideo.scope_path.startswith(p) for p in scopes]))
            .order_by(ExamVideo.created_at)
            .limit(200)
        )
        return [video_out(r) for r in rows]

    @get("/{video_id:uuid}", operation_id="getExamVideo")
    async def read(self, db: Db, principal: Caller, video_id: FromPath[uuid.UUID]) -> ExamVideoOut:
        row = await service.get_video(db, video_id)
        await workers.person_in_view(db, principal, row.person_id)
        return video_out(row)

    @get("/{video_id:uuid}/file", operation_id="getExamVideoFile")
    async def file(self, db: Db, principal: Caller, settings: Conf, video_id: FromPath[uuid.UUID]) -> File:
        row = await service.get_video(db, video_id)
        await workers.person_in_view(db, principal, row.person_id)
        return File(path=service.exam_dir(settings) / row.file, content_disposition_type="inline")

    @post("/{video_id:uuid}/review", operation_id="reviewExamVideo", status_code=200)
    async def review(
        self,
        data: JSONBody[ExamReviewIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        video_id: FromPath[uuid.UUID],
    ) -> ExamVideoOut:
        """The assessor marks the steps (e.g. 引弧, 运条, 收弧) with timestamps and passes or fails it."""
        row = await service.get_video(db, video_id)
        person = await managed(db, principal, row.person_id, ASSESS)
        ctx = workers.context(db, settings, now, principal.person_id)
        steps = [(m.step, m.at_s) for m in data.steps]
        await service.review(ctx, row, person, data.assessor, data.passed, steps, data.note)
        return video_out(row)


class ExamUploadsController(Controller):
    """Resumable upload: open → PUT chunks at the server's offset → complete (→ the exam video)."""

    path = "/api/media/exam-uploads"
    tags = ["media"]

    @post("/", operation_id="openExamUpload")
    async def open(
        self, data: JSONBody[ExamUploadIn], db: Db, principal: Caller, settings: Conf, now: Now
    ) -> ExamUploadOut:
        person = await self_or_managed(db, principal, data.person_id)
        row = await chunks.open_upload(
            db,
            settings,
            now,
            person,
            principal.person_id,
            data.item_key,
            data.size,
            data.content_type,
            data.sha256,
        )
        return upload_out(row)

    @get("/{upload_id:uuid}", operation_id="getExamUpload")
    async def offset(
        self, db: Db, principal: Caller, now: Now, upload_id: FromPath[uuid.UUID]
    ) -> ExamUploadOut:
        """Where to resume: `offset` is the number of bytes the server holds."""
        return upload_out(await chunks.get_upload(db, now, upload_id, principal.person_id))

    @put("/{upload_id:uuid}", operation_id="putExamUploadChunk", request_max_body_size=chunks.CHUNK_MAX)
    async def chunk(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        upload_id: FromPath[uuid.UUID],
        offset: FromQuery[int],
    ) -> ExamUploadOut:
        """The raw bytes of the next chunk (≤ chunk_max) starting at `offset`."""
        row = await chunks.get_upload(db, now, upload_id, principal.person_id)
        body = await request.body()
        await chunks.put_chunk(db, settings, now, row, offset, body)
        await db.refresh(row)
        return upload_out(row)

    @post("/{upload_id:uuid}/complete", operation_id="completeExamUpload")
    async def complete(
        self, db: Db, principal: Caller, settings: Conf, now: Now, upload_id: FromPath[uuid.UUID]
    ) -> ExamVideoOut:
        row = await chunks.get_upload(db, now, upload_id, principal.person_id)
        person = await self_or_managed(db, principal, row.person_id)
        video = await chunks.complete(db, settings, now, row, person, principal.person_id)
        return video_out(video)

    @delete("/{upload_id:uuid}", operation_id="cancelExamUpload")
    async def cancel(
        self, db: Db, principal: Caller, settings: Conf, now: Now, upload_id: FromPath[uuid.UUID]
    ) -> None:
        row = await chunks.get_upload(db, now, upload_id, principal.person_id)
        await chunks.cancel(db, settings, row)
