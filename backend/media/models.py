"""Person–certificate verification records: certificate scans awaiting review, face consent,
encrypted face templates, face/liveness checks, and practical-exam videos."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, IdMixin

SCAN_STATUSES = ("pending", "confirmed", "rejected")
CHECK_KINDS = ("certificate", "enrolled", "liveness")


class CertificateScan(IdMixin, Base):
    """A certificate photo, what OCR read from it and the checks' verdict. Nothing reaches the
    certificate records until a reviewer confirms (or corrects) the fields; corrections are kept
    beside the OCR values for accuracy tracking."""

    __tablename__ = "certificate_scans"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    file: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    phash: Mapped[str] = mapped_column(String(16), index=True)  # 64-bit dHash of the photo
    family: Mapped[str | None] = mapped_column(String(16), default=None)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name → {value, confidence, raw}
    checks: Mapped[list[Any]] = mapped_column(default=list)  # [{code, level, reason}]
    verdict: Mapped[str] = mapped_column(String(8))  # green | amber | red
    status: Mapped[str] = mapped_column(String(16), default="pending")
    corrections: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field → {ocr, confirmed}
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("certificates.id"), default=None)
    ocr_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)


class FaceConsent(IdMixin, Base):
    """PIPL Art. 29: separate consent before any processing of the person's face."""

    __tablename__ = "face_consents"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    notice_version: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)


class FaceTemplate(IdMixin, Base):
    """An enrolled face embedding, encrypted at rest; purged after the retention period."""

    __tablename__ = "face_templates"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    engine: Mapped[str] = mapped_column(String(16))
    template_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)


class FaceCheck(IdMixin, Base):
    """One comparison or liveness run: the distance, threshold and decision are kept; the images
    are not. A liveness check is created with its challenge and answered by one clip."""

    __tablename__ = "face_checks"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # certificate | enrolled | liveness
    engine: Mapped[str] = mapped_column(String(16))
    scan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("certificate_scans.id"), default=None)
    distance: Mapped[float | None] = mapped_column(Float, default=None)
    threshold: Mapped[float] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String(16))  # match | no_match | no_face | pending | pass | fail
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    clip_sha256: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    created_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class ExamVideo(IdMixin, Base):
    """实操考核视频: the recording of a practical exam, its checks, and the assessor's review."""

    __tablename__ = "exam_videos"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    item_key: Mapped[str] = mapped_column(String(40))
    file: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    container: Mapped[str] = mapped_column(String(32))
    codec: Mapped[str] = mapped_column(String(32))
    duration_s: Mapped[float] = mapped_column(Float)
    face_distance: Mapped[float | None] = mapped_column(Float, default=None)
    status: Mapped[str] = mapped_column(String(16), default="uploaded")  # uploaded | passed | failed
    steps: Mapped[list[Any]] = mapped_column(default=list)  # [{step, at_s}]
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    created_at: Mapped[datetime] = mapped_column()
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)


class ExamUpload(IdMixin, Base):
    """A resumable upload of a practical-exam recording: the bytes received so far sit in
    `media/tmp/uploads/<id>.part`; `received` is the offset the next chunk must start at. The
    session ends as an `ExamVideo` (complete) or is deleted (cancelled, or expired and swept)."""

    __tablename__ = "exam_uploads"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(40))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    received: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)  # declared by the client
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
