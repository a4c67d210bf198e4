"""Wire types of person–certificate verification. Images and templates never leave the server
through these; ID numbers read by OCR are shown masked."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from backend.auth.schemas import Input

ScanStatus = Literal["pending", "confirmed", "rejected"]


class ScanField(msgspec.Struct):
    value: str
    confidence: float
    raw: str = ""


class ScanCheck(msgspec.Struct):
    code: str
    level: Literal["ok", "info", "amber", "red"]
    reason: str


class ScanOut(msgspec.Struct):
    id: uuid.UUID
    person_id: uuid.UUID
    status: ScanStatus
    verdict: Literal["green", "amber", "red"]
    family: str | None
    fields: dict[str, ScanField]
    checks: list[ScanCheck]
    ocr_seconds: float
    created_at: datetime
    certificate_id: uuid.UUID | None = None
    corrections: dict[str, Any] = {}


class ScanConfirm(Input):
    """The reviewer's (confirmed or corrected) fields; the certificate rules apply to them."""

    item_key: str
    number: str
    issued_on: date
    valid_until: date | None = None
    issuing_authority: str = ""
    first_issued_on: date | None = None
    last_reviewed_on: date | None = None
    item_limit: str | None = None


class ScanReject(Input):
    reason: str = msgspec.field(default="")


class ConsentOut(msgspec.Struct):
    person_id: uuid.UUID
    granted: bool
    notice_version: str | None = None
    granted_at: datetime | None = None
    templates_deleted: int = 0


class FaceCheckOut(msgspec.Struct):
    id: uuid.UUID
    person_id: uuid.UUID
    kind: str
    engine: str
    threshold: float
    decision: str
    created_at: datetime
    distance: float | None = None
    detail: dict[str, Any] = {}


class EnrolOut(msgspec.Struct):
    person_id: uuid.UUID
    engine: str
    expires_at: datetime


class StepMark(Input):
    step: str
    at_s: float


class ExamReviewIn(Input):
    passed: bool
    assessor: str
    steps: list[StepMark] = []
    note: str = ""


class ExamVideoOut(msgspec.Struct):
    id: uuid.UUID
    person_id: uuid.UUID
    item_key: str
    sha256: str
    size: int
    container: str
    codec: str
    duration_s: float
    status: str
    created_at: datetime
    face_distance: float | None = None
    steps: list[dict[str, Any]] = []
    note: str = ""
    reviewed_at: datetime | None = None


class ExamUploadIn(Input):
    """Opens a resumable upload: who, which exam item, the file's size and type, and (optional)
    its SHA-256, which the server then checks the assembled file against."""

    person_id: uuid.UUID
    item_key: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    size: Annotated[int, msgspec.Meta(gt=0)]
    content_type: Annotated[str, msgspec.Meta(max_length=100)]
    sha256: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")] | None = None


class ExamUploadOut(msgspec.Struct):
    id: uuid.UUID
    person_id: uuid.UUID
    item_key: str
    size: int
    offset: int  # bytes received: the next chunk starts here
    chunk_max: int
    expires_at: datetime
