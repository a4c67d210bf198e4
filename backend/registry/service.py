"""The registry check service: what the CLI, the scheduler, the routes and the bench call."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit import service as audit
from backend.auth.principal import Principal
from backend.config import Settings
from backend.core.errors import Conflict, Invalid, NotFound
from backend.people.models import Person
from backend.registry.adapter import HttpRegistry
from backend.registry.limits import CircuitBreaker
from backend.registry.models import RegistryCheck, RegistryFinding, RegistryRun
from backend.registry.run_part import Progress, RunInProgress, RunOptions, new_owner, run_check
from backend.registry.schemas import FindingOut
from backend.workers.models import Certificate

__all__ = [
    "RunInProgress",
    "RunOptions",
    "acknowledge",
    "check_now",
    "findings_view",
    "history",
    "http_registry",
    "last_run",
    "outcome_counts",
    "resolve",
    "run_check",
]

# Who handles findings: the safety department (and admins).
OFFICERS = ("safety_officer", "admin")


def parse_auth(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    name, sep, value = header.partition(":")
    if not sep or not name.strip():
        raise ValueError("TEZUO_REGISTRY_AUTH must look like 'Header-Name: value'")
    return name.strip(), value.strip()


@asynccontextmanager
async def http_registry(
    settings: Settings, breaker: CircuitBreaker | None = None
) -> AsyncIterator[HttpRegistry]:
    """The configured gateway adapter with its own connection pool, closed afterwards; a caller
    that asks often (certificate scans) passes a breaker that outlives one adapter."""
    if not settings.registry_url:
        raise Invalid("未配置全国系统网关 (TEZUO_REGISTRY_URL)", code="registry_not_configured")
    limits = httpx.Limits(max_connections=max(4, settings.registry_concurrency * 2))
    async with httpx.AsyncClient(limits=limits) as client:
        yield HttpRegistry(
            client,
            settings.registry_url,
            auth_header=parse_auth(settings.registry_auth_header),
            rate_per_second=settings.registry_rate,
            timeout=settings.registry_timeout,
            retries=settings.registry_retries,
            breaker=breaker
            or CircuitBreaker(threshold=max(5, settings.registry_concurrency * 3), cooldown=30),
            batch_size=settings.registry_batch,
        )


async def check_now(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Callable[[], datetime],
    *,
    trigger: str = "manual",
    progress: Progress | None = None,
) -> RegistryRun:
    """Run (or resume) the check against the configured gateway."""
    async with http_registry(settings) as registry:
        options = RunOptions(concurrency=settings.registry_concurrency, page_size=settings.registry_page)
        return await run_check(
            maker, settings, registry, clock,
            owner=new_owner(trigger), trigger=trigger, options=options, progress=progress,
        )  # fmt: skip


async def last_run(db: AsyncSession) -> RegistryRun | None:
    return await db.scalar(select(RegistryRun).order_by(RegistryRun.started_at.desc()).limit(1))


async def outcome_counts(db: AsyncSession, run_id: uuid.UUID, who: Principal) -> dict[str, int]:
    """How many of the run's certificates in the caller's scopes came out as each outcome
    (match, not_found, error …); a viewer scoped to one unit counts only that unit's checks."""
    query = (
        select(RegistryCheck.outcome, func.count())
        .where(RegistryCheck.run_id == run_id)
        .group_by(RegistryCheck.outcome)
    )
    rows = (await db.execute(scoped(query, RegistryCheck.scope_path, who))).all()
    return {outcome: int(n) for outcome, n in rows}


def scoped(query: Any, column: Any, who: Principal) -> Any:
    scopes = who.visible_scopes()
    if not scopes:
        return query.where(column == "\x00")  # sees nothing
    return query.where(or_(*(column.startswith(s, autoescape=True) for s in scopes)))


async def findings_view(
    db: AsyncSession, who: Principal, status: str | None = None, limit: int = 200
) -> list[FindingOut]:
    """Findings in the caller's scopes, newest first, with the holder's name and masked number."""
    query = (
        select(RegistryFinding, Person.name, Certificate.item_key, Certificate.number_masked)
        .join(Person, Person.id == RegistryFinding.person_id)
        .join(Certificate, Certificate.id == RegistryFinding.certificate_id)
        .order_by(RegistryFinding.opened_at.desc(), RegistryFinding.id)
        .limit(limit)
    )
    if status:
        query = query.where(RegistryFinding.status == status)
    rows = (await db.execute(scoped(query, RegistryFinding.scope_path, who))).all()
    return [finding_out(f, name, item, number) for f, name, item, number in rows]


def finding_out(f: RegistryFinding, name: str, item_key: str, number: str) -> FindingOut:
    return FindingOut(
        id=f.id, person_id=f.person_id, person_name=name, certificate_id=f.certificate_id,
        item_key=item_key, number_masked=number, kind=f.kind, code=f.code, action=f.action,
        status=f.status, detail=f.detail, opened_at=f.opened_at, last_seen_at=f.last_seen_at, seen=f.seen,
        acknowledged_at=f.acknowledged_at, resolved_at=f.resolved_at, note=f.note,
    )  # fmt: skip


async def counts_by_status(db: AsyncSession, who: Principal) -> dict[str, int]:
    query = select(RegistryFinding.status, func.count()).group_by(RegistryFinding.status)
    rows = (await db.execute(scoped(query, RegistryFinding.scope_path, who))).all()
    return {status: int(n) for status, n in rows}


async def _finding(db: AsyncSession, who: Principal, finding_id: uuid.UUID) -> RegistryFinding:
    f = await db.get(RegistryFinding, finding_id)
    if f is None:
        raise NotFound("核验发现不存在", code="finding_unknown")
    who.require(OFFICERS, f.scope_path)
    return f


async def acknowledge(
    db: AsyncSession, who: Principal, finding_id: uuid.UUID, now: datetime, note: str
) -> RegistryFinding:
    f = await _finding(db, who, finding_id)
    if f.status != "open":
        raise Conflict("该发现已确认或已处理", code="finding_not_open")
    f.status, f.acknowledged_by, f.acknowledged_at = "acknowledged", who.person_id, now
    if note:
        f.note = note
    await _audit(db, who, f, "registry.finding_acknowledged", now)
    return f


async def _audit(db: AsyncSession, who: Principal, f: RegistryFinding, action: str, now: datetime) -> None:
    details = {"kind": f.kind, "person_id": str(f.person_id), "certificate_id": str(f.certificate_id)}
    if f.note:
        details["note"] = f.note
    await audit.record(
        db,
        now,
        action=action,
        entity="registry_finding",
        entity_id=f.id,
        actor_id=who.person_id,
        details=details,
    )


async def resolve(
    db: AsyncSession, who: Principal, finding_id: uuid.UUID, now: datetime, note: str
) -> RegistryFinding:
    f = await _finding(db, who, finding_id)
    if f.status == "resolved":
        raise Conflict("该发现已处理", code="finding_resolved")
    if not note.strip():
        raise Invalid("请填写处理说明", code="note_required")
    if f.acknowledged_at is None:
        f.acknowledged_by, f.acknowledged_at = who.person_id, now
    f.status, f.resolved_by, f.resolved_at, f.note = "resolved", who.person_id, now, note.strip()
    await _audit(db, who, f, "registry.finding_resolved", now)
    return f


async def history(db: AsyncSession, person_id: uuid.UUID, limit: int = 200) -> list[RegistryCheck]:
    """A person's verification history, newest first."""
    return list(
        await db.scalars(
            select(RegistryCheck)
            .where(RegistryCheck.person_id == person_id)
            .order_by(RegistryCheck.checked_at.desc(), RegistryCheck.id)
            .limit(limit)
        )
    )
