"""Who is calling, with which roles where; the scope rules every route applies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import msgspec

from backend.core.errors import Forbidden
from backend.people.roles import OVERSEEING


class Grant(msgspec.Struct, frozen=True):
    role: str
    scope_path: str


class Principal(msgspec.Struct, frozen=True):
    person_id: uuid.UUID
    name: str
    unit_path: str
    grants: tuple[Grant, ...]
    session_id: uuid.UUID | None = None
    credential_id: str | None = None  # the passkey (base64url) that opened the session, for the audit log

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, roles: Iterable[str], path: str | None = None) -> bool:
        """True if one of `roles` is held over `path` (or anywhere when path is None)."""
        wanted = set(roles)
        return any(g.role in wanted and (path is None or path.startswith(g.scope_path)) for g in self.grants)

    def oversees(self, path: str) -> bool:
        return self.has_role(OVERSEEING, path)

    def can_see_person(self, person_id: uuid.UUID, unit_path: str) -> bool:
        return person_id == self.person_id or self.oversees(unit_path)

    def can_see_unit(self, path: str) -> bool:
        """A unit inside a scope, or an ancestor of one (so people can name their own site)."""
        return any(path.startswith(g.scope_path) or g.scope_path.startswith(path) for g in self.grants) or (
            self.unit_path.startswith(path)
        )

    def visible_scopes(self) -> list[str]:
        """Path prefixes of the people this principal may see (own record handled apart)."""
        return sorted({g.scope_path for g in self.grants if g.role in OVERSEEING})

    def require(self, roles: Iterable[str], path: str | None = None) -> None:
        if not self.has_role(roles, path):
            raise Forbidden("您没有执行此操作的权限", code="role_required")
