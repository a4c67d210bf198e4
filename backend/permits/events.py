"""Permit history: every state change, signature, hand-over and gas-lock event, in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.audit.schemas import Evidence
from backend.permits.models import Permit, PermitEvent


def _no_floats(value: Any) -> Any:
    """The audit log takes no floats (docs/SECURITY.md): readings and distances go in as text."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {k: _no_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_floats(v) for v in value]
    return value


async def record(
    db: AsyncSession,
    permit: Permit,
    kind: str,
    text: str,
    at: datetime,
    actor_id: uuid.UUID | None = None,
    *,
    evidence: Evidence | None = None,
    **detail: Any,
) -> PermitEvent:
    """Append one history entry and mirror it into the tamper-evident audit log, both in the
    caller's transaction. `evidence` overrides the request's (a signed decision names its passkey)."""
    plain = {k: (str(v) if isinstance(v, uuid.UUID | datetime) else v) for k, v in detail.items()}
    event = PermitEvent(permit_id=permit.id, at=at, kind=kind, actor_id=actor_id, text=text, detail=plain)
    db.add(event)
    await audit.record(
        db,
        at,
        action=f"permit.{kind}",
        entity="permit",
        entity_id=permit.id,
        entity_version=permit.revision,
        actor_id=actor_id,
        details=audit.bounded({"text": text, **_no_floats(plain)}),
        evidence=evidence,
    )
    return event
