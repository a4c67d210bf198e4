"""Persons, contractor companies, scoped role assignments and deputies."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Syncable

EMPLOYMENT = ("active", "suspended", "left")


class Contractor(Syncable, Base):
    """外包单位: a company whose workers work on our sites."""

    __tablename__ = "contractors"
    __sync_entity__ = "contractor"

    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"))


class Person(Syncable, Base):
    """Anyone who signs in or does special work; keyed by resident ID number (GB 11643).

    The number is stored encrypted (`id_number_enc`) with an HMAC blind index for look-ups
    and a masked copy for display (PIPL: sensitive personal information).
    """

    __tablename__ = "people"
    __sync_entity__ = "person"
    __sync_exclude__ = frozenset({"id_number_enc", "id_number_index", "webauthn_user_id"})
    __sync_owner__ = "id"

    name: Mapped[str] = mapped_column(String(64))
    id_number_enc: Mapped[str] = mapped_column(String(200))
    id_number_index: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"), index=True)
    unit_path: Mapped[str] = mapped_column(String(400), index=True)
    contractor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contractors.id"), default=None)
    employment: Mapped[str] = mapped_column(String(16), default="active")
    left_at: Mapped[datetime | None] = mapped_column(default=None)
    webauthn_user_id: Mapped[bytes] = mapped_column(LargeBinary(64))
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")

    def sync_scope_path(self) -> str:
        return self.unit_path


class RoleAssignment(Syncable, Base):
    """A role held within a scope: the org unit and everything under it."""

    __tablename__ = "role_assignments"
    __sync_entity__ = "role_assignment"
    __sync_owner__ = "person_id"
    __table_args__ = (UniqueConstraint("person_id", "role", "scope_id"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    scope_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"))
    scope_path: Mapped[str] = mapped_column(String(400), index=True)

    def sync_scope_path(self) -> str:
        return self.scope_path


class Deputy(Syncable, Base):
    """B角: who takes over an approver's role in a scope while they are away."""

    __tablename__ = "deputies"
    __sync_entity__ = "deputy"
    __sync_owner__ = "deputy_id"
    __table_args__ = (UniqueConstraint("principal_id", "deputy_id", "role", "scope_id"),)

    principal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    deputy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    scope_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_units.id"))
    scope_path: Mapped[str] = mapped_column(String(400), index=True)
    active_from: Mapped[datetime | None] = mapped_column(default=None)
    active_until: Mapped[datetime | None] = mapped_column(default=None)

    def sync_scope_path(self) -> str:
        return self.scope_path
