"""Audit endpoints: signed tree heads, inclusion and consistency proofs, an entity's history."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service
from backend.audit.history import b64, head_out, history
from backend.audit.keys import ALGORITHM, load_signer, public_pem
from backend.audit.schemas import ConsistencyProofOut, HistoryOut, InclusionProofOut, LogKeyOut, TreeHeadOut
from backend.auth.principal import Principal
from backend.core.errors import Invalid, NotFound
from backend.http.deps import Caller, Conf, Db, Now
from backend.people import service as people
from backend.permits import store as permit_store

# Who may read an entity's history: a guard per entity kind raises if the caller may not, and
# says whether they may also see other people's client evidence. Each domain adds its own kind.
HistoryGuard = Callable[[AsyncSession, Principal, str], Awaitable[bool]]


async def _person_guard(db: AsyncSession, who: Principal, entity_id: str) -> bool:
    try:
        person_id = uuid.UUID(entity_id)
    except ValueError:
        raise NotFound("人员不存在", code="person_unknown") from None
    person = await people.read_person(db, who, person_id)
    return who.oversees(person.unit_path)


async def _permit_guard(db: AsyncSession, who: Principal, entity_id: str) -> bool:
    try:
        permit_id = uuid.UUID(entity_id)
    except ValueError:
        raise NotFound("作业票不存在", code="permit_unknown") from None
    permit, _slots = await permit_store.visible(db, who, permit_id)
    return who.oversees(permit.scope_path)


HISTORY_GUARDS: dict[str, HistoryGuard] = {"person": _person_guard, "permit": _permit_guard}

Size = Annotated[int, QueryParameter(ge=1, description="tree size (a signed tree head's tree_size)")]


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]

    @get("/sth", operation_id="getTreeHead")
    async def tree_head(self, db: Db, principal: Caller) -> TreeHeadOut:
        sth = await service.latest_tree_head(db)
        if sth is None:
            raise NotFound("尚未签发树头", code="sth_none")
        return head_out(sth)

    @post("/sth", operation_id="issueTreeHead", status_code=200)
    async def issue_tree_head(self, db: Db, principal: Caller, settings: Conf, now: Now) -> TreeHeadOut:
        signer = load_signer(settings.keys_dir)
        sth, _ = await service.issue_tree_head(db, signer, now, min_interval=service.API_MIN_INTERVAL)
        return head_out(sth)

    @get("/key", operation_id="getLogKey", sync_to_thread=False)
    def key(self, principal: Caller, settings: Conf) -> LogKeyOut:
        signer = load_signer(settings.keys_dir)
        return LogKeyOut(
            key_id=signer.key_id, signature_algorithm=ALGORITHM, public_key_pem=public_pem(signer.public_key)
        )

    @get("/proof/inclusion", operation_id="getInclusionProof")
    async def inclusion(
        self, db: Db, principal: Caller, leaf_index: Annotated[int, QueryParameter(ge=0)], tree_size: Size
    ) -> InclusionProofOut:
        leaf, path = (await service.inclusion_proofs(db, [leaf_index], tree_size))[leaf_index]
        return InclusionProofOut(
            leaf_index=leaf_index, tree_size=tree_size, leaf_hash=b64(leaf), audit_path=[b64(h) for h in path]
        )

    @get("/proof/consistency", operation_id="getConsistencyProof")
    async def consistency(self, db: Db, principal: Caller, first: Size, second: Size) -> ConsistencyProofOut:
        proof = await service.consistency_proof(db, first, second)
        return ConsistencyProofOut(first=first, second=second, consistency=[b64(h) for h in proof])

    @get("/history", operation_id="getAuditHistory")
    async def entity_history(
        self,
        db: Db,
        principal: Caller,
        entity: FromQuery[str],
        entity_id: FromQuery[str],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> HistoryOut:
        guard = HISTORY_GUARDS.get(entity)
        if guard is None:
            raise Invalid(f"没有 {entity} 的审计历史", code="entity_unknown")
        full_view = await guard(db, principal, entity_id)
        out = await history(
            db, entity, entity_id, viewer=principal.person_id, full_view=full_view, limit=limit
        )
        names = await people.names_of(db, [e.actor_id for e in out.entries if e.actor_id])
        for entry in out.entries:
            entry.actor_name = names.get(entry.actor_id) if entry.actor_id else None
        return out
