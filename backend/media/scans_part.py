"""Certificate scans: photo → OCR fields + checks (pending), then a reviewer confirms or corrects
them into a certificate record through the qualifications service, or rejects the scan."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from dataclasses import asdict, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.catalog.models import Catalog
from backend.config import Settings
from backend.core.errors import Conflict, NotFound
from backend.core.ids import uuid7
from backend.media import images, ocr, registry_part, store
from backend.media.checks import run_checks, verdict
from backend.media.extract import Extraction, extract
from backend.media.models import CertificateScan
from backend.people.models import Person
from backend.workers import service as workers
from backend.workers.certificates_part import CertificateInput

REUSE_BITS = 6  # dHash distance at or below which two photos are the same picture


def read_card(body: bytes, catalog: Catalog) -> tuple[images.Decoded, Extraction, float]:
    """Decode, OCR and extract one photo (CPU-bound: callers run it in a thread). A photo in
    which no card family was found is read again turned 180° (a card upside down without EXIF
    orientation: the OCR runs without its line classifier, and the layout needs the rows upright)."""
    started = time.perf_counter()
    decoded = images.decode(body)
    found = extract(ocr.read_lines(decoded.rgb), catalog)
    if found.family is None:
        rgb = np.ascontiguousarray(decoded.rgb[::-1, ::-1])
        turned = extract(ocr.read_lines(rgb), catalog)
        if turned.family is not None:  # the upright picture is the one hashed for reuse checks
            decoded, found = replace(decoded, rgb=rgb), turned
    return decoded, found, time.perf_counter() - started


def scan_dir(settings: Settings) -> Path:
    return settings.media_dir / "scans"


async def _reused_by_other(db: AsyncSession, person_id: uuid.UUID, phash: str) -> bool:
    rows = await db.execute(
        select(CertificateScan.phash).where(
            CertificateScan.person_id != person_id, CertificateScan.status != "rejected"
        )
    )
    return any(images.hamming(phash, other) <= REUSE_BITS for (other,) in rows)


async def scan_certificate(
    db: AsyncSession, settings: Settings, now: datetime, person: Person, actor_id: uuid.UUID, body: bytes
) -> CertificateScan:
    """Read a certificate photo for `person`; the scan waits for a reviewer (nothing else changes)."""
    ctx = workers.context(db, settings, now, actor_id)
    decoded, found, seconds = await asyncio.to_thread(read_card, body, ctx.catalog)
    # Asked before the database is: a slow gateway holds no transaction open (and is cut off
    # at the adapter's timeout, an amber "未能核验" then, never green).
    on_registry = await registry_part.cross_check(settings, found, ctx.today)
    phash = images.dhash(decoded.rgb)
    holder = workers.ciphers_for(settings.secret_key).id_number.decrypt(person.id_number_enc)
    reused = await _reused_by_other(db, person.id, phash)
    checks = [*run_checks(found, ctx.catalog, ctx.today, holder, reused), on_registry]
    scan_id = uuid7()
    scan = CertificateScan(
        id=scan_id,
        person_id=person.id,
        scope_path=person.unit_path,
        uploaded_by=actor_id,
        file=f"{scan_id}.{decoded.ext}",
        sha256=hashlib.sha256(body).hexdigest(),
        phash=phash,
        family=found.family,
        fields={k: asdict(v) for k, v in found.fields.items()},
        checks=[asdict(c) for c in checks],
        verdict=verdict(checks),
        ocr_seconds=round(seconds, 3),
        created_at=now,
    )
    db.add(scan)
    await db.flush()
    await audit.record(
        db,
        now,
        action="certificate_scan.upload",
        entity="certificate_scan",
        entity_id=scan.id,
        actor_id=actor_id,
        details={"person_id": str(person.id), "sha256": scan.sha256, "verdict": scan.verdict},
    )
    store.write_on_commit(db, scan_dir(settings) / scan.file, body)  # appears when the row commits
    return scan


async def get_scan(db: AsyncSession, scan_id: uuid.UUID) -> CertificateScan:
    scan = await db.get(CertificateScan, scan_id)
    if scan is None:
        raise NotFound("识别记录不存在", code="scan_unknown")
    return scan


def _pending(scan: CertificateScan) -> None:
    if scan.status != "pending":
        raise Conflict(f"该识别记录已{'确认' if scan.status == 'confirmed' else '驳回'}", code="scan_decided")


def corrections(scan: CertificateScan, confirmed: dict[str, Any]) -> dict[str, Any]:
    """field → {ocr, confirmed} for every field the reviewer changed (or OCR missed)."""
    out = {}
    for key, value in confirmed.items():
        if value is None or value == "":
            continue
        wanted = value.isoformat() if isinstance(value, date) else str(value)
        read = (scan.fields.get(key) or {}).get("value")
        if read != wanted:
            out[key] = {"ocr": read, "confirmed": wanted}
    return out


async def confirm_scan(
    ctx: workers.Ctx, settings: Settings, scan: CertificateScan, person: Person, data: CertificateInput
) -> CertificateScan:
    """The reviewer's fields become a certificate (all the qualification rules apply); the
    scan's photo becomes the certificate's first photo."""
    _pending(scan)
    cert = await workers.add_certificate(ctx, person, data)
    cert.photos = [*cert.photos, _attach(ctx.db, settings, scan.file, cert.id)]
    mapping = {
        "item_key": data.item_key,
        "number": data.number,
        "valid_from": data.issued_on,
        "valid_until": data.valid_until,
        "authority": data.issuing_authority,
        "first_issued_on": data.first_issued_on,
    }
    scan.corrections = corrections(scan, mapping)
    scan.status, scan.certificate_id = "confirmed", cert.id
    scan.decided_at, scan.decided_by = ctx.now, ctx.actor_id
    await ctx.db.flush()
    await audit.record(
        ctx.db,
        ctx.now,
        action="certificate_scan.confirm",
        entity="certificate_scan",
        entity_id=scan.id,
        actor_id=ctx.actor_id,
        details={"certificate_id": str(cert.id), "corrected": sorted(scan.corrections)},
    )
    return scan


def _attach(db: AsyncSession, settings: Settings, name: str, cert_id: uuid.UUID) -> str:
    """Copy the scan's photo beside the certificate's other photos (on commit); its name there."""
    dst = settings.media_dir / "certificates" / str(cert_id) / name
    store.copy_on_commit(db, scan_dir(settings) / name, dst)
    return name


async def reject_scan(
    db: AsyncSession, now: datetime, scan: CertificateScan, actor_id: uuid.UUID, reason: str
) -> CertificateScan:
    _pending(scan)
    scan.status, scan.decided_at, scan.decided_by = "rejected", now, actor_id
    scan.corrections = {"rejected": reason[:200]}
    await db.flush()
    await audit.record(
        db,
        now,
        action="certificate_scan.reject",
        entity="certificate_scan",
        entity_id=scan.id,
        actor_id=actor_id,
        details={"reason": reason[:200]},
    )
    return scan
