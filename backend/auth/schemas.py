"""Wire types of sign-in: enrollment, passkey ceremonies, the signed-in person."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are an error, not silently dropped."""


class EnrollOptionsIn(Input):
    code: str = msgspec.field()


class CeremonyOut(msgspec.Struct, kw_only=True):
    challenge_id: uuid.UUID
    options: dict[str, Any]
    person_name: str | None = None


class EnrollVerifyIn(Input):
    challenge_id: uuid.UUID
    code: str
    credential: dict[str, Any]
    label: str = ""


class LoginVerifyIn(Input):
    challenge_id: uuid.UUID
    credential: dict[str, Any]


class GrantOut(msgspec.Struct):
    role: str
    scope_path: str
    scope_name: str


class MeOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    name: str
    id_number_masked: str
    unit_path: str
    unit_name: str
    roles: list[str]
    grants: list[GrantOut]
    home_tabs: list[str]
    locale: str


class EnrollmentOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    code: str
    url: str
    expires_at: str
