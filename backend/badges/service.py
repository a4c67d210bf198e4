"""Issuing codes from the qualification ledger, the inspector's offline bundle, photos and scans.

Rules of thumb kept here (each a constant, documented in docs/badges.md):
* a dynamic code lives 24 h and the PWA fetches a new one whenever it is online and the cached one
  is older than an hour or has less than 12 h left; a printed badge lives a year;
* "open violations" = violations recorded in the last 365 days, counted back from the plant's local
  date (occurred_on is a local day; the ledger has no closing step);
* a certificate frozen by itself (T-0) is left out of the code; a whole-person freeze, leaving or
  suspension makes the status "frozen".
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.auth.principal import Principal
from backend.badges.credential import Cert, Claims, epoch, issue
from backend.badges.keys import BadgeKeys
from backend.badges.models import BadgePhoto, BadgeScan
from backend.badges.verify import Frozen, PermitNeed, Synced, SyncedWorker, load_trust_list, verify
from backend.catalog.service import catalog_for, covering, local_date
from backend.config import Settings
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.org.models import Area
from backend.people.models import Person
from backend.permits.active import IN_FORCE
from backend.permits.catalogue import catalogue
from backend.permits.models import Permit
from backend.workers.models import Certificate, Freeze, Violation

DYNAMIC_TTL = timedelta(hours=24)
BADGE_TTL = timedelta(days=365)
VIOLATION_WINDOW = timedelta(days=365)
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_EDGE = 320
PHOTO_HASH_BYTES = 16  # codes and bundles carry SHA-256 of the thumbnail cut to 128 bits
INSPECTING = ("inspector", "safety_officer", "team_leader", "workshop_director", "vice_president", "admin")


def keys_for(settings: Settings) -> BadgeKeys:
    return BadgeKeys(settings.keys_dir, settings.rp_id)


# ------------------------------------------------------------------ issuing


async def _open_freezes(db: AsyncSession, people: Sequence[uuid.UUID]) -> list[Freeze]:
    if not people:
        return []
    return list(
        await db.scalars(
            select(Freeze).where(
                Freeze.person_id.in_(people), Freeze.lifted_at.is_(None), Freeze.deleted_at.is_(None)
            )
        )
    )


def _cert(c: Certificate) -> Cert:
    due = c.deadline_on if c.deadline_on < c.valid_until else c.review_due_on
    return Cert(c.family, c.item_key, c.number_masked, c.valid_until, due)


async def certificates_of(
    db: AsyncSession, people: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Certificate]]:
    out: dict[uuid.UUID, list[Certificate]] = {}
    if not people:
        return out
    rows = await db.scalars(
        select(Certificate)
        .where(
            Certificate.person_id.in_(people),
            Certificate.deleted_at.is_(None),
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.item_key)
    )
    for c in rows:
        out.setdefault(c.person_id, []).append(c)
    return out


def violations_since(settings: Settings, now: datetime) -> date:
    """The first local day of the violation window: violations are dated in the plant's time zone,
    so between 16:00 and 24:00 UTC (China time) the UTC date would be a day behind."""
    return local_date(now, catalog_for(settings).policy) - VIOLATION_WINDOW


async def _violations(db: AsyncSession, people: Sequence[uuid.UUID], since: date) -> dict[uuid.UUID, int]:
    if not people:
        return {}
    rows = await db.execute(
        select(Violation.person_id, func.count())
        .where(
            Violation.person_id.in_(people), Violation.deleted_at.is_(None), Violation.occurred_on >= since
        )
        .group_by(Violation.person_id)
    )
    return {pid: int(n) for pid, n in rows.all()}


async def _photo_hashes(db: AsyncSession, people: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not people:
        return {}
    rows = await db.execute(
        select(BadgePhoto.person_id, BadgePhoto.sha256).where(BadgePhoto.person_id.in_(people))
    )
    return {pid: h for pid, h in rows.all()}


async def worker_claims(
    db: AsyncSession, settings: Settings, person: Person, issuer: str, now: datetime
) -> Claims:
    """The dynamic code's claims: name, masked ID, photo hash, usable-or-lapsed certificates…"""
    freezes = await _open_freezes(db, [person.id])
    frozen_items = {f.item_key for f in freezes if f.item_key}
    whole = any(f.item_key is None for f in freezes) or person.employment != "active"
    certs = [
        _cert(c)
        for c in (await certificates_of(db, [person.id])).get(person.id, [])
        if c.item_key not in frozen_items
    ]
    photo = (await _photo_hashes(db, [person.id])).get(person.id)
    return Claims(
        issuer=issuer,
        worker_id=person.id,
        issued_at=epoch(now),
        expires_at=epoch(now + DYNAMIC_TTL),
        name=person.name,
        id_masked=person.id_number_masked,
        photo_hash=bytes.fromhex(photo)[:PHOTO_HASH_BYTES] if photo else b"",
        status="frozen" if whole else "active",
        violations=(await _violations(db, [person.id], violations_since(settings, now))).get(person.id, 0),
        certs=certs,
    )


@dataclass(frozen=True)
class Issued:
    text: str
    kid: str
    issued_at: datetime
    expires_at: datetime


async def dynamic_code(db: AsyncSession, settings: Settings, person: Person, now: datetime) -> Issued:
    keys = keys_for(settings)
    kid, key = keys.signer(now)
    claims = await worker_claims(db, settings, person, keys.issuer, now)
    return Issued(issue(claims, bytes.fromhex(kid), key), kid, now, now + DYNAMIC_TTL)


def badge_code(settings: Settings, person: Person, now: datetime) -> Issued:
    """The printed badge's code: the worker id and the signature only."""
    keys = keys_for(settings)
    kid, key = keys.signer(now)
    claims = Claims(keys.issuer, person.id, epoch(now), epoch(now + BADGE_TTL), kind="b")
    return Issued(issue(claims, bytes.fromhex(kid), key), kid, now, now + BADGE_TTL)


# ------------------------------------------------------------------ the inspector's bundle


def inspecting_scopes(principal: Principal) -> list[str]:
    scopes = sorted({g.scope_path for g in principal.grants if g.role in INSPECTING})
    if not scopes:
        raise Forbidden("仅巡检员、安全员等可同步核验数据", code="role_required")
    return scopes


async def people_in(db: AsyncSession, scopes: list[str]) -> list[Person]:
    return list(
        await db.scalars(
            select(Person)
            .where(Person.deleted_at.is_(None), or_(*(Person.unit_path.startswith(s) for s in scopes)))
            .order_by(Person.id)
        )
    )


async def synced_data(db: AsyncSession, settings: Settings, people: list[Person], now: datetime) -> Synced:
    """What an inspector's phone keeps to check codes offline: workers, freezes, as of now."""
    ids = [p.id for p in people]
    certs, violations, photos = (
        await certificates_of(db, ids),
        await _violations(db, ids, violations_since(settings, now)),
        await _photo_hashes(db, ids),
    )
    frozen = [
        Frozen(w=str(f.person_id), since=epoch(f.frozen_at), item=f.item_key)
        for f in await _open_freezes(db, ids)
    ]
    frozen += [Frozen(w=str(p.id), since=epoch(p.left_at or now)) for p in people if p.employment != "active"]
    workers = [
        SyncedWorker(
            w=str(p.id),
            n=p.name,
            m=p.id_number_masked,
            p=photos.get(p.id, "")[: 2 * PHOTO_HASH_BYTES],
            v=violations.get(p.id, 0),
            c=[_cert(c).wire() for c in certs.get(p.id, [])],
        )
        for p in people
    ]
    return Synced(as_of=epoch(now), workers=workers, frozen=frozen)


async def photos_of(db: AsyncSession, people: list[uuid.UUID]) -> dict[str, str]:
    """person id → data: URL of the thumbnail."""
    if not people:
        return {}
    rows = await db.execute(
        select(BadgePhoto.person_id, BadgePhoto.jpeg).where(BadgePhoto.person_id.in_(people))
    )
    return {str(pid): "data:image/jpeg;base64," + base64.b64encode(jpeg).decode() for pid, jpeg in rows.all()}


def work_types(settings: Settings) -> list[dict[str, Any]]:
    """The permit catalogue's work types with, per role, the items that cover each certificate."""
    catalog = catalog_for(settings)
    out = []
    for t in catalogue().types:
        roles = {
            role: [sorted(covering(catalog, f"{i.family}:{i.item}")) for i in items]
            for role, items in t.certificates.items()
            if items
        }
        out.append({"code": t.code, "name": t.name, "name_en": t.name_en, "roles": roles})
    return out


def permit_people(permit: Permit) -> dict[str, list[str]]:
    """person id → the person's roles on the permit: operator, guardian, applicant."""
    out: dict[str, list[str]] = {}
    for pid in permit.operator_ids:
        out.setdefault(str(pid), []).append("operator")
    if permit.guardian_id is not None:
        out.setdefault(str(permit.guardian_id), []).append("guardian")
    out.setdefault(str(permit.applicant_id), []).append("applicant")
    return out


def permit_need(settings: Settings, permit: Permit) -> PermitNeed:
    roles: dict[str, list[list[str]]] = next(
        (t["roles"] for t in work_types(settings) if t["code"] == permit.work_type), {}
    )
    people = permit_people(permit)
    wanted = {r for rs in people.values() for r in rs}
    return PermitNeed(permit.number, people, {r: v for r, v in roles.items() if r in wanted})


async def site_permits(
    db: AsyncSession, settings: Settings, scopes: list[str], now: datetime
) -> list[dict[str, Any]]:
    """The permits in force (approved, active, suspended; not past their validity) in the
    inspector's scopes, with who is on each and what their roles need."""
    rows = await db.execute(
        select(Permit, Area.code, Area.name)
        .join(Area, Area.id == Permit.area_id)
        .where(
            Permit.status.in_(IN_FORCE),
            Permit.valid_until > now,
            Permit.deleted_at.is_(None),
            or_(*(Permit.scope_path.startswith(s) for s in scopes)),
        )
        .order_by(Permit.number)
    )
    out = []
    for p, code, name in rows.all():
        need = permit_need(settings, p)
        out.append(
            {
                "id": p.id,
                "number": p.number,
                "work_type": p.work_type,
                "grade": p.grade,
                "status": p.status,
                "area_code": code,
                "area_name": name,
                "valid_until": epoch(p.valid_until),
                "people": need.people,
                "needs": need.needs,
            }
        )
    return out


async def picked_permit(
    db: AsyncSession, settings: Settings, permit_id: uuid.UUID | None, scopes: list[str]
) -> PermitNeed | None:
    """The picked permit's need, or None when none was picked, the server does not know it, or it is
    outside the inspector's scopes (one site's inspector learns nothing of another site's permits)."""
    if permit_id is None:
        return None
    permit = await db.get(Permit, permit_id)
    if permit is None or permit.deleted_at is not None:
        return None
    if not any(permit.scope_path.startswith(s) for s in scopes):
        return None
    return permit_need(settings, permit)


# ------------------------------------------------------------------ photos


def thumbnail(data: bytes) -> bytes:
    """A JPEG no larger than PHOTO_EDGE px, from a JPEG, PNG or WebP upload (anything else refused)."""
    if len(data) > PHOTO_MAX_BYTES:
        raise Invalid("照片不能超过 5 MiB", code="photo_too_large")
    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            if img.format not in ("JPEG", "PNG", "WEBP"):
                raise Invalid("照片须为 JPEG、PNG 或 WebP 图片", code="photo_type")
            if img.width * img.height > PHOTO_MAX_PIXELS:  # a small file can decode to gigabytes
                raise Invalid("照片像素过多（最多 4000 万像素）", code="photo_too_large")
            img.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise Invalid("照片须为 JPEG、PNG 或 WebP 图片", code="photo_type") from None
    return out.getvalue()


async def set_photo(
    db: AsyncSession, person: Person, data: bytes, actor: uuid.UUID, now: datetime
) -> BadgePhoto:
    jpeg = await asyncio.to_thread(thumbnail, data)  # decoding is CPU work: off the event loop
    digest = hashlib.sha256(jpeg).hexdigest()
    row = await db.scalar(select(BadgePhoto).where(BadgePhoto.person_id == person.id))
    if row is None:
        row = BadgePhoto(person_id=person.id, jpeg=jpeg, sha256=digest, uploaded_at=now, uploaded_by=actor)
        db.add(row)
    else:
        row.jpeg, row.sha256, row.uploaded_at, row.uploaded_by = jpeg, digest, now, actor
    await db.flush()
    await audit.record(
        db,
        now,
        action="badge.photo",
        entity="person",
        entity_id=person.id,
        actor_id=actor,
        details={"sha256": digest, "size": len(jpeg)},
    )
    return row


async def photo_of(db: AsyncSession, person_id: uuid.UUID) -> BadgePhoto:
    row = await db.scalar(select(BadgePhoto).where(BadgePhoto.person_id == person_id))
    if row is None:
        raise NotFound("该人员尚无证件照", code="photo_unknown")
    return row


# ------------------------------------------------------------------ scans


def server_verdict(
    settings: Settings,
    text: str,
    synced: Synced,
    now: datetime,
    required: list[list[str]] | None = None,
    permit: PermitNeed | None = None,
) -> dict[str, Any]:
    keys = keys_for(settings)
    trust = load_trust_list(keys.trust_list(now), keys.root_public())
    return verify(text, trust, epoch(now), synced, required, permit=permit).as_dict()


def _text(x: float | None) -> str | None:
    return None if x is None else repr(x)


async def record_scan(
    db: AsyncSession,
    settings: Settings,
    principal: Principal,
    scan_id: uuid.UUID,
    args: Any,
    scanned_at: datetime,
    now: datetime,
) -> BadgeScan:
    """Log one scan made (maybe offline) on an inspector's phone, with the server's own verdict,
    and its audit entry in the same transaction. The caller has checked the inspector's role.

    Where: the device's position (lat/lon/accuracy) when the browser gave one, and the place the
    inspector chose (or the picked permit's area); the inspector's unit is kept in any case."""
    permit = await picked_permit(db, settings, args.permit_id, inspecting_scopes(principal))
    checked = server_verdict(settings, args.code, Synced(as_of=epoch(now)), now, None, permit)
    worker_id = uuid.UUID(checked["worker"]["id"]) if checked.get("worker") else None
    if worker_id is not None:
        person = await db.get(Person, worker_id)
        if person is not None:  # the server knows the person: judge with its current data
            synced = await synced_data(db, settings, [person], now)
            checked = server_verdict(settings, args.code, synced, now, None, permit)
    row = BadgeScan(
        id=scan_id,
        inspector_id=principal.person_id,
        worker_id=worker_id,
        scope_path=principal.unit_path,
        scanned_at=scanned_at,
        place=args.place,
        lat=args.lat,
        lon=args.lon,
        accuracy=args.accuracy,
        permit_id=args.permit_id,
        work_type=args.work_type,
        verdict=args.verdict,
        reasons=list(args.reasons),
        server_verdict=checked["verdict"],
        server_reasons=sorted(r["code"] for r in checked["reasons"]),
        kid=checked.get("kid"),
        code_sha256=hashlib.sha256(args.code.encode()).hexdigest(),
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    await db.flush()
    await audit.record(
        db,
        now,
        action="badge.scan",
        entity="badge_scan",
        entity_id=row.id,
        entity_version=row.version,
        actor_id=principal.person_id,
        details={
            "worker_id": str(worker_id) if worker_id else None,
            "scanned_at": scanned_at.isoformat(),
            "place": args.place,
            # the audit log holds no floats (canonical JSON): coordinates as their decimal text
            "lat": _text(args.lat),
            "lon": _text(args.lon),
            "accuracy": _text(args.accuracy),
            "permit_id": str(args.permit_id) if args.permit_id else None,
            "permit_number": permit.number if permit else None,
            "verdict": args.verdict,
            "reasons": list(args.reasons),
            "server_verdict": row.server_verdict,
            "work_type": args.work_type,
        },
    )
    return row
