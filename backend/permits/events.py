"""Permit history: every state change, signature, hand-over and gas-lock event, in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.permits.models import Permit, PermitEvent


async def record(
    db: AsyncSession,
    permit: Permit,
    kind: str,
    text: str,
    at: datetime,
    actor_id: uuid.UUID | None = None,
    **detail: Any,
) -> PermitEvent:
    """Append one history entry. When the audit log lands (issue 4) it is mirrored there too."""
    event = PermitEvent(
        permit_id=permit.id,
        at=at,
        kind=kind,
        actor_id=actor_id,
        text=text,
        detail={k: (str(v) if isinstance(v, uuid.UUID | datetime) else v) for k, v in detail.items()},
    )
    db.add(event)
    return event
