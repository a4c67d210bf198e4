"""Face consent, enrolment and comparison. No face is processed without the person's separate
consent (PIPL Art. 29); templates are encrypted and expire; images are never kept by this part."""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.config import Settings
from backend.core.crypto import FieldCipher
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.media import faces, images
from backend.media.models import CertificateScan, FaceCheck, FaceConsent, FaceTemplate
from backend.media.scans_part import scan_dir

NOTICE_VERSION = "2026-11"  # the consent text shown in the PWA (i18n key media.consent.text)


@dataclass(frozen=True)
class Comparison:
    distance: float | None
    threshold: float
    decision: str  # match | no_match | no_face


def engine_for(settings: Settings) -> faces.FaceEngine:
    return faces.engine(settings.face_engine, settings.face_model_dir)


def threshold_for(settings: Settings, eng: faces.FaceEngine) -> float:
    return settings.face_threshold if settings.face_threshold is not None else eng.threshold


def embed_largest(eng: faces.FaceEngine, rgb: np.ndarray) -> np.ndarray | None:
    """The embedding of the largest face in the image, or None when there is no face."""
    face = faces.largest(eng.faces(rgb))
    return None if face is None else eng.embed(rgb, face)


def embed_image(eng: faces.FaceEngine, body: bytes, max_side: int = 800) -> np.ndarray | None:
    return embed_largest(eng, images.decode(body, max_side=max_side).rgb)


def _cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.secret_key, "face_template")


def seal(settings: Settings, vec: np.ndarray) -> str:
    return _cipher(settings).encrypt(base64.b64encode(vec.astype(np.float32).tobytes()).decode())


def unseal(settings: Settings, token: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(_cipher(settings).decrypt(token)), dtype=np.float32)


async def consent_of(db: AsyncSession, person_id: uuid.UUID) -> FaceConsent | None:
    return await db.scalar(
        select(FaceConsent)
        .where(FaceConsent.person_id == person_id, FaceConsent.withdrawn_at.is_(None))
        .order_by(FaceConsent.granted_at.desc())
        .limit(1)
    )


async def require_consent(db: AsyncSession, person_id: uuid.UUID) -> None:
    if await consent_of(db, person_id) is None:
        raise Forbidden(
            "该人员尚未单独同意人脸信息处理；请先取得同意，或由安全员人工核验", code="face_consent_required"
        )


async def grant_consent(db: AsyncSession, now: datetime, person_id: uuid.UUID) -> FaceConsent:
    """The person's own consent (only they can give it; see the route)."""
    found = await consent_of(db, person_id)
    if found is not None:
        return found
    consent = FaceConsent(person_id=person_id, notice_version=NOTICE_VERSION, granted_at=now)
    db.add(consent)
    await db.flush()
    await audit.record(
        db, now, action="face.consent", entity="person", entity_id=person_id, actor_id=person_id
    )
    return consent


async def withdraw_consent(db: AsyncSession, now: datetime, person_id: uuid.UUID) -> int:
    """Withdrawal deletes the person's face templates at once (PIPL Art. 47); returns how many."""
    consent = await consent_of(db, person_id)
    if consent is not None:
        consent.withdrawn_at = now
    gone = await db.execute(delete(FaceTemplate).where(FaceTemplate.person_id == person_id))
    count = int(getattr(gone, "rowcount", 0) or 0)
    await audit.record(
        db,
        now,
        action="face.consent_withdrawn",
        entity="person",
        entity_id=person_id,
        actor_id=person_id,
        details={"templates_deleted": count},
    )
    return count


async def enroll(
    db: AsyncSession, settings: Settings, now: datetime, person_id: uuid.UUID, body: bytes
) -> FaceTemplate:
    """Store the encrypted embedding of the person's reference photo (replacing any older one)."""
    await require_consent(db, person_id)
    eng = engine_for(settings)
    vec = await asyncio.to_thread(embed_image, eng, body)
    if vec is None:
        raise Invalid("照片中未检测到人脸", code="no_face")
    await db.execute(delete(FaceTemplate).where(FaceTemplate.person_id == person_id))
    tpl = FaceTemplate(
        person_id=person_id,
        engine=eng.name,
        template_enc=seal(settings, vec),
        created_at=now,
        expires_at=now + timedelta(days=settings.face_retention_days),
    )
    db.add(tpl)
    await db.flush()
    await audit.record(db, now, action="face.enroll", entity="person", entity_id=person_id)
    return tpl


async def enrolled(db: AsyncSession, settings: Settings, person_id: uuid.UUID, now: datetime) -> np.ndarray:
    eng = engine_for(settings)
    tpl = await db.scalar(
        select(FaceTemplate).where(
            FaceTemplate.person_id == person_id,
            FaceTemplate.engine == eng.name,
            FaceTemplate.expires_at > now,
        )
    )
    if tpl is None:
        raise NotFound("该人员没有有效的人脸登记", code="face_not_enrolled")
    return unseal(settings, tpl.template_enc)


def decide(eng: faces.FaceEngine, threshold: float, a: np.ndarray | None, b: np.ndarray | None) -> Comparison:
    if a is None or b is None:
        return Comparison(None, threshold, "no_face")
    dist = eng.distance(a, b)
    return Comparison(round(dist, 4), threshold, "match" if dist <= threshold else "no_match")


async def compare_selfie(
    db: AsyncSession,
    settings: Settings,
    now: datetime,
    person_id: uuid.UUID,
    actor_id: uuid.UUID,
    selfie: bytes,
    scan: CertificateScan | None,
) -> FaceCheck:
    """Selfie vs the portrait on a certificate scan (when given) or vs the enrolled template."""
    await require_consent(db, person_id)
    eng = engine_for(settings)
    threshold = threshold_for(settings, eng)
    if scan is not None:
        card = (scan_dir(settings) / scan.file).read_bytes()
        ref = await asyncio.to_thread(embed_image, eng, card, 1600)
    else:
        ref = await enrolled(db, settings, person_id, now)
    mine = await asyncio.to_thread(embed_image, eng, selfie)
    result = decide(eng, threshold, mine, ref)
    check = FaceCheck(
        person_id=person_id,
        kind="certificate" if scan is not None else "enrolled",
        engine=eng.name,
        scan_id=scan.id if scan is not None else None,
        distance=result.distance,
        threshold=threshold,
        decision=result.decision,
        actor_id=actor_id,
        created_at=now,
        decided_at=now,
    )
    db.add(check)
    await db.flush()
    await audit.record(
        db,
        now,
        action="face.compare",
        entity="face_check",
        entity_id=check.id,
        actor_id=actor_id,
        details={"person_id": str(person_id), "kind": check.kind, "decision": check.decision},
    )
    return check


async def purge_expired(db: AsyncSession, now: datetime) -> int:
    """Delete templates past their retention date (the daily job and `tezuo media purge`)."""
    gone = await db.execute(delete(FaceTemplate).where(FaceTemplate.expires_at <= now))
    return int(getattr(gone, "rowcount", 0) or 0)
