"""Wire types for people: the masked view everyone gets and the input to create one."""

from __future__ import annotations

import uuid

import msgspec

from backend.auth.schemas import Input
from backend.people.roles import Role


class RoleIn(Input):
    role: Role
    scope_code: str


class PersonCreate(Input):
    name: str = msgspec.field()
    id_number: str
    unit_code: str
    roles: list[RoleIn] = msgspec.field(default_factory=list)
    phone: str | None = None
    contractor_id: uuid.UUID | None = None


class PersonOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    id_number_masked: str
    unit_id: uuid.UUID
    unit_path: str
    contractor_id: uuid.UUID | None
    employment: str
    roles: list[str]
    version: int
    phone: str | None = None
    locale: str = "zh-CN"


class PersonPage(msgspec.Struct, kw_only=True):
    items: list[PersonOut]
    total: int
    offset: int
    limit: int


class ContactUpdate(Input):
    """Phone and/or locale; an absent field is left alone, `phone: null` clears the phone."""

    phone: str | msgspec.UnsetType | None = msgspec.UNSET
    locale: str | msgspec.UnsetType = msgspec.UNSET
