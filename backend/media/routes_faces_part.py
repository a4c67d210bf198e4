"""Face consent, enrolment, comparison and liveness endpoints."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery

from backend.core.errors import NotFound
from backend.http.deps import Caller, Conf, Db, Now
from backend.media import images, service, uploads
from backend.media.guards import only_self, self_or_managed
from backend.media.schemas import ConsentOut, EnrolOut, FaceCheckOut
from backend.media.views import check_out
from backend.workers import service as workers

CLIP_MAX_BYTES = 20 * 1024 * 1024  # a liveness clip: a few seconds of phone video


class FacesController(Controller):
    path = "/api/media/faces"
    tags = ["media"]

    @get("/{person_id:uuid}/consent", operation_id="getFaceConsent")
    async def consent(self, db: Db, principal: Caller, person_id: FromPath[uuid.UUID]) -> ConsentOut:
        await workers.person_in_view(db, principal, person_id)
        found = await service.consent_of(db, person_id)
        if found is None:
            return ConsentOut(person_id=person_id, granted=False)
        return ConsentOut(person_id, True, found.notice_version, found.granted_at)

    @post("/{person_id:uuid}/consent", operation_id="grantFaceConsent", status_code=200)
    async def grant(self, db: Db, principal: Caller, now: Now, person_id: FromPath[uuid.UUID]) -> ConsentOut:
        """The person's own, separate consent to face processing (PIPL Art. 29)."""
        only_self(principal, person_id)
        found = await service.grant_consent(db, now, person_id)
        return ConsentOut(person_id, True, found.notice_version, found.granted_at)

    @post("/{person_id:uuid}/consent/withdraw", operation_id="withdrawFaceConsent", status_code=200)
    async def withdraw(
        self, db: Db, principal: Caller, now: Now, person_id: FromPath[uuid.UUID]
    ) -> ConsentOut:
        only_self(principal, person_id)
        deleted = await service.withdraw_consent(db, now, person_id)
        return ConsentOut(person_id=person_id, granted=False, templates_deleted=deleted)

    @post("/{person_id:uuid}/enrolment", operation_id="enrolFace", request_max_body_size=images.MAX_BYTES)
    async def enrol(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> EnrolOut:
        """The reference photo (raw image body); only its encrypted embedding is kept."""
        await self_or_managed(db, principal, person_id)
        tpl = await service.enroll(db, settings, now, person_id, await request.body())
        return EnrolOut(person_id, tpl.engine, tpl.expires_at)

    @post("/{person_id:uuid}/compare", operation_id="compareFace", request_max_body_size=images.MAX_BYTES)
    async def compare(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromPath[uuid.UUID],
        scan_id: FromQuery[uuid.UUID | None] = None,
    ) -> FaceCheckOut:
        """A selfie (raw body) vs the certificate scan's portrait (`scan_id`) or the enrolled face."""
        await self_or_managed(db, principal, person_id)
        scan = await service.get_scan(db, scan_id) if scan_id else None
        if scan is not None and scan.person_id != person_id:  # another person's scan: unknown here
            raise NotFound("识别记录不存在", code="scan_unknown")
        body = await request.body()
        check = await service.compare_selfie(db, settings, now, person_id, principal.person_id, body, scan)
        return check_out(check)

    @post("/{person_id:uuid}/liveness", operation_id="startLiveness")
    async def start(
        self, db: Db, principal: Caller, settings: Conf, now: Now, person_id: FromPath[uuid.UUID]
    ) -> FaceCheckOut:
        """A fresh challenge: the actions to perform, in this order, within five minutes."""
        only_self(principal, person_id)
        return check_out(await service.start_liveness(db, settings, now, person_id))

    @post(
        "/liveness/{check_id:uuid}/clip", operation_id="answerLiveness", request_max_body_size=CLIP_MAX_BYTES
    )
    async def clip(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        check_id: FromPath[uuid.UUID],
    ) -> FaceCheckOut:
        """The recorded clip (WebM or MP4, raw body, ≤ 20 MiB); judged, then deleted."""
        check = await service.get_check(db, check_id)
        only_self(principal, check.person_id)
        path, sha, _ = await uploads.receive(request, settings.media_dir / "tmp", CLIP_MAX_BYTES)
        try:
            await service.answer_liveness(db, settings, now, check, path, sha)
        finally:
            path.unlink(missing_ok=True)  # the clip is judged, never kept
        return check_out(check)
