"""Certificate endpoints: add, review, renew, revoke, photos."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import File

from backend.audit import service as audit
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.core.ids import uuid7
from backend.http.deps import Caller, Conf, Db, Now
from backend.people.models import Person
from backend.workers import service
from backend.workers.certificates_part import CertificateInput
from backend.workers.guards_part import MANAGE, managed
from backend.workers.models import Certificate
from backend.workers.schemas import CertificateCreate, CertificateOut, RenewalIn, ReviewIn, RevokeIn
from backend.workers.views_part import certificate_out, frozen_certificates

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Magic bytes → extension: certificate photos are JPEG, PNG or WebP, nothing else.
PHOTO_TYPES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF", "webp"))


async def _out(ctx: service.Ctx, cert: Certificate) -> CertificateOut:
    frozen = await frozen_certificates(ctx.db, [cert.id])
    return certificate_out(cert, ctx.catalog, ctx.today, frozen)


async def _cert(
    db: Any, principal: Any, cert_id: uuid.UUID, roles: tuple[str, ...] | None
) -> tuple[Certificate, Person]:
    cert = await service.get_certificate(db, cert_id)
    person = (
        await managed(db, principal, cert.person_id, roles)
        if roles
        else await service.person_in_view(db, principal, cert.person_id)
    )
    return cert, person


class CertificatesController(Controller):
    path = "/api/certificates"
    tags = ["qualifications"]

    @post("/", operation_id="addCertificate")
    async def add(
        self, data: JSONBody[CertificateCreate], db: Db, principal: Caller, settings: Conf, now: Now
    ) -> CertificateOut:
        person = await managed(db, principal, data.person_id, MANAGE)
        ctx = service.context(db, settings, now, principal.person_id)
        fields = {k: getattr(data, k) for k in CertificateInput.__dataclass_fields__}
        cert = await service.add_certificate(ctx, person, CertificateInput(**fields))
        return await _out(ctx, cert)

    @get("/{cert_id:uuid}", operation_id="getCertificate")
    async def read(
        self, db: Db, principal: Caller, settings: Conf, now: Now, cert_id: FromPath[uuid.UUID]
    ) -> CertificateOut:
        cert, _ = await _cert(db, principal, cert_id, None)
        return await _out(service.context(db, settings, now), cert)

    @post("/{cert_id:uuid}/reviews", operation_id="recordReview", status_code=200)
    async def review(
        self,
        data: JSONBody[ReviewIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        cert_id: FromPath[uuid.UUID],
    ) -> CertificateOut:
        cert, person = await _cert(db, principal, cert_id, MANAGE)
        ctx = service.context(db, settings, now, principal.person_id)
        await service.record_review(
            ctx, cert, person, data.reviewed_on, data.passed, data.authority, data.note
        )
        return await _out(ctx, cert)

    @post("/{cert_id:uuid}/renewal", operation_id="renewCertificate", status_code=200)
    async def renewal(
        self,
        data: JSONBody[RenewalIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        cert_id: FromPath[uuid.UUID],
    ) -> CertificateOut:
        cert, person = await _cert(db, principal, cert_id, MANAGE)
        ctx = service.context(db, settings, now, principal.person_id)
        await service.renew(
            ctx, cert, person, data.issued_on, data.valid_until, data.number, data.issuing_authority
        )
        return await _out(ctx, cert)

    @post("/{cert_id:uuid}/revoke", operation_id="revokeCertificate", status_code=200)
    async def revoke(
        self,
        data: JSONBody[RevokeIn],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        cert_id: FromPath[uuid.UUID],
    ) -> CertificateOut:
        cert, person = await _cert(db, principal, cert_id, MANAGE)
        ctx = service.context(db, settings, now, principal.person_id)
        await service.revoke(ctx, cert, person, data.reason)
        return await _out(ctx, cert)

    @post(
        "/{cert_id:uuid}/photos",
        operation_id="uploadCertificatePhoto",
        request_max_body_size=PHOTO_MAX_BYTES,
    )
    async def upload_photo(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        settings: Conf,
        now: Now,
        cert_id: FromPath[uuid.UUID],
    ) -> CertificateOut:
        """The raw image as the body (the holder or a manager): JPEG, PNG or WebP, ≤ 5 MiB."""
        cert, person = await _cert(db, principal, cert_id, None)
        if person.id != principal.person_id:
            principal.require(MANAGE, person.unit_path)
        body = await request.body()
        ext = next((e for magic, e in PHOTO_TYPES if body.startswith(magic)), None)
        if ext is None or (ext == "webp" and body[8:12] != b"WEBP"):
            raise Invalid("证书照片须为 JPEG、PNG 或 WebP 图片", code="photo_type")
        name = f"{uuid7()}.{ext}"
        path = Path(settings.media_dir) / "certificates" / str(cert.id) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        cert.photos = [*cert.photos, name]
        await db.flush()
        await audit.record(
            db,
            now,
            action="certificate.photo_upload",
            entity="certificate",
            entity_id=cert.id,
            entity_version=cert.version,
            actor_id=principal.person_id,
            details={"file": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()},
        )
        return await _out(service.context(db, settings, now), cert)

    @get("/{cert_id:uuid}/photos/{name:str}", operation_id="getCertificatePhoto")
    async def photo(
        self, db: Db, principal: Caller, settings: Conf, cert_id: FromPath[uuid.UUID], name: FromPath[str]
    ) -> File:
        cert, person = await _cert(db, principal, cert_id, None)
        if name not in cert.photos:
            raise NotFound("照片不存在", code="photo_unknown")
        if person.id != principal.person_id and not principal.oversees(person.unit_path):
            raise Forbidden("无权查看证书照片", code="out_of_scope")
        return File(
            path=Path(settings.media_dir) / "certificates" / str(cert.id) / name,
            content_disposition_type="inline",
        )
