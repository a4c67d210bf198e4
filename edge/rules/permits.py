"""The node's view of which permits are active in its areas, cached so it judges correctly offline."""

from __future__ import annotations

from datetime import datetime

import msgspec


class ActivePermit(msgspec.Struct, kw_only=True):
    number: str
    area_code: str
    work_type: str
    status: str
    valid_until: datetime


class PermitBook:
    """Filled from `GET /api/devices/permits`; kept in the outbox's kv table across restarts."""

    def __init__(self, permits: list[ActivePermit] | None = None, fetched_at: datetime | None = None):
        self.permits = permits or []
        self.fetched_at = fetched_at

    def active(self, area_code: str, now: datetime) -> list[ActivePermit]:
        """Permits in force for the area now: started (验票 passed) and not past their validity."""
        return [
            p
            for p in self.permits
            if p.area_code == area_code and p.status == "active" and now < p.valid_until
        ]

    def dump(self) -> dict[str, object]:
        return {
            "permits": msgspec.to_builtins(self.permits),
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
        }

    @classmethod
    def restore(cls, raw: dict[str, object] | None) -> PermitBook:
        if not raw:
            return cls()
        permits = msgspec.convert(raw.get("permits", []), list[ActivePermit])
        fetched = raw.get("fetched_at")
        return cls(permits, datetime.fromisoformat(fetched) if isinstance(fetched, str) else None)
