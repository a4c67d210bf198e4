"""An entity's history with inclusion proofs, and the wire form of tree heads."""

from __future__ import annotations

import base64
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.keys import ALGORITHM
from backend.audit.leaf import format_time
from backend.audit.models import AuditEntry, TreeHead
from backend.audit.schemas import Evidence, HistoryEntryOut, HistoryOut, TreeHeadOut
from backend.audit.service import inclusion_proofs, latest_tree_head


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def head_out(sth: TreeHead) -> TreeHeadOut:
    return TreeHeadOut(
        tree_size=sth.tree_size,
        timestamp=sth.timestamp_ms,
        sha256_root_hash=b64(sth.root_hash),
        tree_head_signature=b64(sth.signature),
        key_id=sth.key_id,
        signature_algorithm=ALGORITHM,
        issued_at=format_time(sth.issued_at),
    )


def evidence_of(row: AuditEntry) -> Evidence:
    return Evidence(
        channel=row.channel,
        ip=row.ip,
        user_agent=row.user_agent,
        credential_id=row.credential_id,
        device_id=row.device_id,
        device_time=row.device_time,
    )


async def history(
    db: AsyncSession,
    entity: str,
    entity_id: str,
    *,
    viewer: uuid.UUID,
    full_view: bool,
    limit: int = 100,
) -> HistoryOut:
    """Newest first, each with its audit path in the latest signed tree head when it is covered.

    Evidence (IP, device…) is shown to the actor and to those who oversee the entity; others get
    only its digest, which is all the leaf needs.
    """
    sth = await latest_tree_head(db)
    rows = (
        await db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.leaf_index.desc())
            .limit(limit)
        )
    ).all()
    covered = [r.leaf_index for r in rows if sth is not None and r.leaf_index < sth.tree_size]
    proofs = await inclusion_proofs(db, covered, sth.tree_size) if sth is not None and covered else {}
    entries = [
        HistoryEntryOut(
            leaf_index=r.leaf_index,
            time=format_time(r.recorded_at),
            actor_id=r.actor_id,
            actor_name=None,
            action=r.action,
            entity=r.entity,
            entity_id=r.entity_id,
            entity_version=r.entity_version,
            details=r.details,
            details_digest=r.details_digest,
            evidence=evidence_of(r) if full_view or r.actor_id == viewer else None,
            evidence_digest=r.evidence_digest,
            leaf_hash=b64(r.leaf_hash),
            audit_path=[b64(h) for h in proofs[r.leaf_index][1]] if r.leaf_index in proofs else None,
        )
        for r in rows
    ]
    return HistoryOut(
        entity=entity, entity_id=entity_id, tree_head=head_out(sth) if sth else None, entries=entries
    )
