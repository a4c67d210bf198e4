"""Wire types for people: the masked view everyone gets, the input to create one, B角 designations."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from backend.auth.schemas import Input
from backend.core.times import AwareDatetime
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


class DeputyCreate(Input):
    """Name a B角: `deputy_id` stands in for the principal (default: the caller) in `role`.

    `scope_code` defaults to the scope of the principal's grant of the role; the window is open
    on either side when left out."""

    deputy_id: uuid.UUID
    role: Role
    principal_id: uuid.UUID | None = None
    scope_code: str | None = None
    active_from: AwareDatetime | None = None
    active_until: AwareDatetime | None = None


class PersonBrief(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    unit_path: str
    holds_role: bool = False  # in B角 candidates: holds the same role over the unit


class RoleScope(msgspec.Struct, kw_only=True):
    """A grant someone can have a B角 for: the role and the unit it covers."""

    role: str
    scope_id: uuid.UUID
    scope_code: str
    scope_name: str
    scope_path: str


class DeputyOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    principal: PersonBrief
    deputy: PersonBrief
    role: str
    scope: RoleScope
    active_from: datetime | None
    active_until: datetime | None
    in_force: bool  # inside its window now (a B角 who is away themself is still in force)


class DeputyBoard(msgspec.Struct, kw_only=True):
    """A person's B角 designations both ways: current and future ones (expired ones drop off)."""

    person: PersonBrief
    roles: list[RoleScope]
    deputies: list[DeputyOut]
    deputising_for: list[DeputyOut]
