"""Rows → wire types; ID numbers read from a card are masked unless the caller is HR."""

from __future__ import annotations

from backend.auth.principal import Principal
from backend.media.models import CertificateScan, ExamVideo, FaceCheck
from backend.media.schemas import ExamVideoOut, FaceCheckOut, ScanCheck, ScanField, ScanOut
from backend.people import idnumber
from backend.workers.guards_part import HR
from backend.workers.numbers_part import mask_number

PERSONAL = ("id_number", "number")


def shows_full_ids(principal: Principal, scan: CertificateScan) -> bool:
    return principal.has_role(HR, scan.scope_path)


def _masked(key: str, value: str) -> str:
    if key == "id_number" and len(value) == 18:
        return idnumber.mask(value)
    return mask_number(value) if key == "number" else value


def scan_out(scan: CertificateScan, full: bool) -> ScanOut:
    fields = {}
    for key, f in scan.fields.items():
        value = f["value"] if full or key not in PERSONAL else _masked(key, f["value"])
        raw = f.get("raw", "") if full or key not in PERSONAL else ""
        fields[key] = ScanField(value=value, confidence=round(f["confidence"], 3), raw=raw)
    return ScanOut(
        id=scan.id,
        person_id=scan.person_id,
        status=scan.status,  # type: ignore[arg-type]
        verdict=scan.verdict,  # type: ignore[arg-type]
        family=scan.family,
        fields=fields,
        checks=[ScanCheck(**c) for c in scan.checks],
        ocr_seconds=scan.ocr_seconds,
        created_at=scan.created_at,
        certificate_id=scan.certificate_id,
        corrections=scan.corrections if full else {k: "…" for k in scan.corrections},
    )


def check_out(check: FaceCheck) -> FaceCheckOut:
    return FaceCheckOut(
        id=check.id,
        person_id=check.person_id,
        kind=check.kind,
        engine=check.engine,
        threshold=check.threshold,
        decision=check.decision,
        created_at=check.created_at,
        distance=check.distance,
        detail=check.detail,
    )


def video_out(row: ExamVideo) -> ExamVideoOut:
    return ExamVideoOut(
        id=row.id,
        person_id=row.person_id,
        item_key=row.item_key,
        sha256=row.sha256,
        size=row.size,
        container=row.container,
        codec=row.codec,
        duration_s=row.duration_s,
        status=row.status,
        created_at=row.created_at,
        face_distance=row.face_distance,
        steps=row.steps,
        note=row.note,
        reviewed_at=row.reviewed_at,
    )
