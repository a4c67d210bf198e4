"""Person–certificate verification: the one import for routes, the CLI and the bench.

Certificate scans (OCR → fields → checks → reviewer confirms), face consent/enrolment/compare,
liveness challenges and practical-exam videos live in the `_part.py` modules beside this one.
"""

from __future__ import annotations

from backend.media.exams_part import add_video, exam_dir, get_video, review
from backend.media.faces_part import (
    compare_selfie,
    consent_of,
    engine_for,
    enroll,
    grant_consent,
    purge_expired,
    require_consent,
    withdraw_consent,
)
from backend.media.liveness_part import answer as answer_liveness
from backend.media.liveness_part import get_check
from backend.media.liveness_part import start as start_liveness
from backend.media.scans_part import (
    confirm_scan,
    get_scan,
    read_card,
    reject_scan,
    scan_certificate,
    scan_dir,
)

__all__ = [
    "add_video",
    "answer_liveness",
    "compare_selfie",
    "confirm_scan",
    "consent_of",
    "engine_for",
    "enroll",
    "exam_dir",
    "get_check",
    "get_scan",
    "get_video",
    "grant_consent",
    "purge_expired",
    "read_card",
    "reject_scan",
    "require_consent",
    "review",
    "scan_certificate",
    "scan_dir",
    "start_liveness",
    "withdraw_consent",
]
