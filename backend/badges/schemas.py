"""The badge API's DTOs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from backend.badges.verify import Synced

Verdict = Literal["green", "amber", "red"]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class CodeOut(msgspec.Struct, kw_only=True):
    text: str  # "TZ1:…", to be shown as an alphanumeric QR
    kid: str
    issued_at: datetime
    expires_at: datetime
    server_time: datetime


class TrustOut(msgspec.Struct, kw_only=True):
    root: str  # base64 of the root key's uncompressed P-256 point: pin it
    trust_list: str  # base64 COSE_Sign1


class WorkTypeOut(msgspec.Struct, kw_only=True):
    code: str
    name: str
    name_en: str
    roles: dict[str, list[list[str]]]  # role → each needed certificate as the items that cover it


class PermitOut(msgspec.Struct, kw_only=True):
    """A permit in force on the inspector's site, for the pick on the verification page."""

    id: uuid.UUID
    number: str
    work_type: str
    grade: str
    status: str
    area_code: str
    area_name: str
    valid_until: int  # epoch seconds
    people: dict[str, list[str]]  # person id → permit roles (operator, guardian, applicant)
    needs: dict[str, list[list[str]]]  # role → each needed certificate as the items that cover it


class SiteOut(msgspec.Struct, kw_only=True):
    """What an inspector's phone keeps to check codes offline, and how old it is (`synced.as_of`)."""

    root: str
    trust_list: str
    synced: Synced
    photos: dict[str, str]  # person id → data: URL of the thumbnail
    work_types: list[WorkTypeOut]
    permits: list[PermitOut] = []


class VerifyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Code
    work_type: str | None = None
    role: str = "operator"
    permit_id: uuid.UUID | None = None  # picked permit: overrides work_type/role


class ScanArgs(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """`badge.scan` (append): one scan recorded on an inspector's phone, maybe offline."""

    code: Code
    verdict: Verdict
    reasons: Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]], msgspec.Meta(max_length=20)] = []
    place: Annotated[str, msgspec.Meta(max_length=120)] = ""
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    accuracy: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None  # metres, with lat/lon
    work_type: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    permit_id: uuid.UUID | None = None  # the permit the inspector picked, if any

    def __post_init__(self) -> None:
        if (self.lat is None) != (self.lon is None) or (self.accuracy is not None and self.lat is None):
            raise ValueError("lat and lon come together; accuracy only with them")


class PhotoOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    sha256: str
    size: int


class ScanOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    inspector_id: uuid.UUID
    worker_id: uuid.UUID | None
    scanned_at: datetime
    place: str
    lat: float | None
    lon: float | None
    accuracy: float | None
    permit_id: uuid.UUID | None
    verdict: str
    reasons: list[Any]
    server_verdict: str
    server_reasons: list[Any]
