"""Badge endpoints: my dynamic code, the trust list, the inspector's site bundle, online verify,
photos and the printable badge. Scans arrive through sync (`badge.scan`), not here."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody

from backend.audit import service as audit
from backend.badges import pdf, service
from backend.badges.schemas import CodeOut, PermitOut, PhotoOut, SiteOut, TrustOut, VerifyIn, WorkTypeOut
from backend.badges.verify import load_trust_list, verify
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.http.deps import Caller, Conf, Db, Now
from backend.people.models import Person
from backend.workers.guards_part import MANAGE
from backend.workers.service import person_in_view


def _trust(settings: Any, now: Any) -> TrustOut:
    keys = service.keys_for(settings)
    return TrustOut(
        root=base64.b64encode(keys.root_public()).decode(),
        trust_list=base64.b64encode(keys.trust_list(now)).decode(),
    )


class BadgesController(Controller):
    path = "/api/badges"
    tags = ["badges"]

    @get("/me/code", operation_id="myBadgeCode")
    async def my_code(self, db: Db, principal: Caller, settings: Conf, now: Now) -> CodeOut:
        """My dynamic code, issued now (the app asks again each day while online)."""
        person = await db.get(Person, principal.person_id)
        if person is None:
            raise NotFound("人员不存在", code="person_unknown")
        issued = await service.dynamic_code(db, settings, person, now)
        return CodeOut(
            text=issued.text,
            kid=issued.kid,
            issued_at=issued.issued_at,
            expires_at=issued.expires_at,
            server_time=now,
        )

    @get("/trust", operation_id="badgeTrustList")
    async def trust(self, principal: Caller, settings: Conf, now: Now) -> TrustOut:
        return _trust(settings, now)

    @get("/site", operation_id="badgeSiteBundle")
    async def site(self, db: Db, principal: Caller, settings: Conf, now: Now) -> SiteOut:
        """Everything an inspector's phone needs to verify codes offline, for their scopes."""
        scopes = service.inspecting_scopes(principal)
        people = await service.people_in(db, scopes)
        trust = _trust(settings, now)
        return SiteOut(
            root=trust.root,
            trust_list=trust.trust_list,
            synced=await service.synced_data(db, settings, people, now),
            photos=await service.photos_of(db, [p.id for p in people]),
            work_types=[WorkTypeOut(**t) for t in service.work_types(settings)],
            permits=[PermitOut(**p) for p in await service.site_permits(db, settings, scopes, now)],
        )

    @post("/verify", operation_id="verifyBadge", status_code=200)
    async def verify_online(
        self, data: JSONBody[VerifyIn], db: Db, principal: Caller, settings: Conf, now: Now
    ) -> dict[str, Any]:
        """The server's verdict on a code, with its current data (for a phone that is online)."""
        scopes = service.inspecting_scopes(principal)
        required = None
        if data.work_type is not None:
            wt = next((t for t in service.work_types(settings) if t["code"] == data.work_type), None)
            if wt is None:
                raise Invalid("未知的作业类型", code="work_type_unknown")
            required = wt["roles"].get(data.role, [])
        permit = await service.picked_permit(db, settings, data.permit_id, scopes)
        if data.permit_id is not None and permit is None:
            raise NotFound("作业票不存在", code="permit_unknown")
        keys = service.keys_for(settings)
        trust = load_trust_list(keys.trust_list(now), keys.root_public())
        first = verify(data.code, trust, service.epoch(now))
        people: list[Person] = []
        if first.worker is not None:
            person = await db.get(Person, uuid.UUID(first.worker["id"]))
            if person is not None and any(person.unit_path.startswith(s) for s in scopes):
                people = [person]
        synced = await service.synced_data(db, settings, people, now)
        return verify(data.code, trust, service.epoch(now), synced, required, permit=permit).as_dict()

    @put(
        "/photos/{person_id:uuid}",
        operation_id="putBadgePhoto",
        request_max_body_size=service.PHOTO_MAX_BYTES,
    )
    async def put_photo(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        now: Now,
        person_id: FromPath[uuid.UUID],
    ) -> PhotoOut:
        """The raw image as the body (the worker or a manager): JPEG, PNG or WebP, ≤ 5 MiB."""
        person = await person_in_view(db, principal, person_id)
        if person.id != principal.person_id:
            principal.require(MANAGE, person.unit_path)
        row = await service.set_photo(db, person, await request.body(), principal.person_id, now)
        return PhotoOut(person_id=person.id, sha256=row.sha256, size=len(row.jpeg))

    @get("/photos/{person_id:uuid}", operation_id="getBadgePhoto", media_type="image/jpeg")
    async def get_photo(self, db: Db, principal: Caller, person_id: FromPath[uuid.UUID]) -> Response[bytes]:
        person = await person_in_view(db, principal, person_id)
        if person.id != principal.person_id and not principal.oversees(person.unit_path):
            raise Forbidden("无权查看证件照", code="out_of_scope")
        row = await service.photo_of(db, person.id)
        return Response(row.jpeg, media_type="image/jpeg", headers={"cache-control": "private, max-age=3600"})

    @get("/{person_id:uuid}/badge.pdf", operation_id="printableBadge", media_type="application/pdf")
    async def badge_pdf(
        self, db: Db, principal: Caller, settings: Conf, now: Now, person_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """The printable badge (a manager prints it): photo, name, trades, QR of id + signature."""
        person = await person_in_view(db, principal, person_id)
        principal.require(MANAGE, person.unit_path)
        body = await pdf.badge_pdf(db, settings, person, now)
        await audit.record(
            db,
            now,
            action="badge.print",
            entity="person",
            entity_id=person.id,
            actor_id=principal.person_id,
            details={},
        )
        return Response(
            body,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="badge-{person.id}.pdf"'},
        )
