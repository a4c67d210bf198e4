"""Verification endpoints: certificate scans and their review; `router` bundles the face,
liveness and exam-video controllers from routes_faces_part."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy import or_, select

from backend.http.deps import Caller, Conf, Db, Now
from backend.media import images, service
from backend.media.guards import self_or_managed
from backend.media.models import CertificateScan
from backend.media.routes_exams_part import ExamUploadsController, ExamVideosController
from backend.media.routes_faces_part import FacesController
from backend.media.schemas import ScanConfirm, ScanOut, ScanReject, ScanStatus
from backend.media.views import PERSONAL, _masked, scan_out, shows_full_ids
from backend.workers import service as workers
from backend.workers.certificates_part import CertificateInput
from backend.workers.guards_part import MANAGE, managed


def _as_read(scan: CertificateScan, data: ScanConfirm) -> CertificateInput:
    """A masked value sent back unchanged means "as OCR read it" (the reviewer never saw it whole)."""
    fields = {k: getattr(data, k) for k in CertificateInput.__dataclass_fields__ if hasattr(data, k)}
    for key in PERSONAL:
        read = (scan.fields.get(key) or {}).get("value")
        if key == "number" and read and data.number == _masked(key, read):
            fields["number"] = read
    return CertificateInput(**fields)


class ScansController(Controller):
    path = "/api/media/scans"
    tags = ["media"]

    @post("/", operation_id="scanCertificate", request_max_body_size=images.MAX_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        person_id: FromQuery[uuid.UUID],
    ) -> ScanOut:
        """The certificate photo as the raw body (JPEG, PNG or WebP, ≤ 8 MiB) → fields and checks."""
        person = await self_or_managed(db, principal, person_id)
        body = await request.body()
        scan = await service.scan_certificate(db, settings, now, person, principal.person_id, body)
        return scan_out(scan, shows_full_ids(principal, scan))

    @get("/", operation_id="listCertificateScans")
    async def pending(
        self, db: Db, principal: Caller, status: FromQuery[ScanStatus] = "pending"
    ) -> list[ScanOut]:
        """Scans waiting for (or past) review in the caller's managed scopes, newest first."""
        scopes = sorted({g.scope_path for g in principal.grants if g.role in MANAGE})
        if not scopes:
            return []
        rows = await db.scalars(
            select(CertificateScan)
            .where(
                CertificateScan.status == status,
                or_(*[CertificateScan.scope_path.startswith(p) for p in scopes]),
            )
            .order_by(CertificateScan.created_at.desc())
            .limit(200)
        )
        return [scan_out(s, shows_full_ids(principal, s)) for s in rows]

    @get("/{scan_id:uuid}", operation_id="getCertificateScan")
    async def read(self, db: Db, principal: Caller, scan_id: FromPath[uuid.UUID]) -> ScanOut:
        scan = await service.get_scan(db, scan_id)
        await self_or_managed(db, principal, scan.person_id)
        return scan_out(scan, shows_full_ids(principal, scan))

    @post("/{scan_id:uuid}/confirm", operation_id="confirmCertificateScan", status_code=200)
    async def confirm(
        self,
        data: JSONBody[ScanConfirm],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        scan_id: FromPath[uuid.UUID],
    ) -> ScanOut:
        """A reviewer (HR, safety officer, admin) confirms or corrects the fields → the certificate."""
        scan = await service.get_scan(db, scan_id)
        person = await managed(db, principal, scan.person_id, MANAGE)
        ctx = workers.context(db, settings, now, principal.person_id)
        await service.confirm_scan(ctx, settings, scan, person, _as_read(scan, data))
        return scan_out(scan, shows_full_ids(principal, scan))

    @post("/{scan_id:uuid}/reject", operation_id="rejectCertificateScan", status_code=200)
    async def reject(
        self, data: JSONBody[ScanReject], db: Db, principal: Caller, now: Now, scan_id: FromPath[uuid.UUID]
    ) -> ScanOut:
        scan = await service.get_scan(db, scan_id)
        await managed(db, principal, scan.person_id, MANAGE)
        await service.reject_scan(db, now, scan, principal.person_id, data.reason)
        return scan_out(scan, shows_full_ids(principal, scan))


router = Router(
    path="/", route_handlers=[ScansController, FacesController, ExamVideosController, ExamUploadsController]
)
