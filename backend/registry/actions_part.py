"""What a discrepancy does: a finding for the safety officer, and through the qualifications
service a freeze (confirmed invalid) or a ledger update from the registry (stale ledger)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from backend.audit import service as audit
from backend.core.errors import DomainError
from backend.people.models import Person
from backend.registry.adapter import Answer
from backend.registry.ledger_part import LedgerEntry
from backend.registry.models import FINDING_KINDS, RegistryFinding
from backend.workers import service as workers
from backend.workers.certificates_part import Ctx
from backend.workers.models import Certificate

# The registry confirmed that the certificate does not qualify its holder for the item.
FREEZING = {"not_found": "registry", "revoked": "revoked", "expired": "expired", "wrong_item": "registry"}


def _detail(ours: LedgerEntry, theirs: Answer | None) -> dict[str, Any]:
    mine = {
        "holder_name": ours.holder_name,
        "item_code": ours.item_code,
        "status": ours.status,
        "valid_until": ours.valid_until.isoformat(),
        "issued_on": ours.issued_on.isoformat(),
        "last_reviewed_on": ours.last_reviewed_on.isoformat() if ours.last_reviewed_on else None,
        "issuing_authority": ours.issuing_authority,
    }
    theirs_d = {} if theirs is None else _plain(theirs)
    return {"ours": mine, "registry": theirs_d}


def _plain(a: Answer) -> dict[str, Any]:
    import msgspec

    out: dict[str, Any] = msgspec.to_builtins(a)
    return out


async def act(
    ctx: Ctx, run_id: uuid.UUID, check_id: uuid.UUID, ours: LedgerEntry, theirs: Answer, code: str
) -> RegistryFinding:
    """Open (or refresh) the finding for this certificate and code, and take the action once."""
    db, now = ctx.db, ctx.now
    existing = await db.scalar(
        select(RegistryFinding).where(
            RegistryFinding.certificate_id == ours.certificate_id,
            RegistryFinding.code == code,
            RegistryFinding.status != "resolved",
        )
    )
    if existing is not None:
        existing.last_seen_at, existing.seen = now, existing.seen + 1
        existing.run_id, existing.check_id = run_id, check_id
        return existing
    person = await db.get(Person, ours.person_id)
    cert = await db.get(Certificate, ours.certificate_id)
    assert person is not None and cert is not None
    detail = _detail(ours, theirs)
    action = "none"
    if code == "revoked":
        await workers.revoke(ctx, cert, person, "全国特种作业操作证查询: 证书已撤销/注销")
        action = "frozen"
    elif code in FREEZING:
        await workers.freeze(db, person, FREEZING[code], now, certificate=cert)
        action = "frozen"
    elif code == "renewed":
        action = await _update_ledger(ctx, person, cert, ours, theirs, detail, run_id)
    finding = RegistryFinding(
        run_id=run_id,
        check_id=check_id,
        certificate_id=ours.certificate_id,
        person_id=ours.person_id,
        scope_path=ours.scope_path,
        kind=FINDING_KINDS[code],
        code=code,
        detail=detail,
        action=action,
        status="open",
        opened_at=now,
        last_seen_at=now,
        seen=1,
        note="",
    )
    db.add(finding)
    return finding


async def _update_ledger(
    ctx: Ctx,
    person: Person,
    cert: Certificate,
    ours: LedgerEntry,
    theirs: Answer,
    detail: dict[str, Any],
    run_id: uuid.UUID,
) -> str:
    """The registry has a renewal or review our ledger lacks: record it the way HR would (renew /
    record_review, which re-arm warnings and lift a freeze), with an audit entry naming the run."""
    try:
        async with ctx.db.begin_nested():
            if theirs.valid_until is not None and theirs.valid_until > ours.valid_until and theirs.issued_on:
                await workers.renew(
                    ctx, cert, person, theirs.issued_on, theirs.valid_until,
                    authority=theirs.issuing_authority or None,
                )  # fmt: skip
            else:
                await workers.record_review(
                    ctx, cert, person, max(theirs.review_dates), True, theirs.issuing_authority
                )
    except DomainError as exc:  # the registry's dates break our rules: leave it to the officer
        detail["update_refused"] = {"code": exc.code, "detail": exc.detail}
        return "none"
    await audit.record(
        ctx.db,
        ctx.now,
        action="registry.ledger_updated",
        entity="person",
        entity_id=person.id,
        entity_version=person.version,
        details={
            "certificate_id": str(cert.id),
            "item": cert.item_key,
            "run_id": str(run_id),
            "before": {
                "valid_until": detail["ours"]["valid_until"],
                "last_reviewed_on": detail["ours"]["last_reviewed_on"],
            },
            "after": {
                "valid_until": cert.valid_until.isoformat(),
                "last_reviewed_on": cert.last_reviewed_on.isoformat() if cert.last_reviewed_on else None,
            },
        },
    )
    return "ledger_updated"
