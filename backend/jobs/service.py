"""Timer rules: schedule once per dedupe key, claim with a lease, complete, retry with backoff."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from backend.core.clock import utcnow
from backend.core.ids import uuid7
from backend.jobs.models import CANCELLED, DONE, FAILED, PENDING, RUNNING, SchedulerLease, Timer

# Refresh ORM objects already in the session with what the statement wrote.
_FRESH = {"populate_existing": True, "synchronize_session": False}


def _insert(db: AsyncSession) -> Any:
    """The dialect's INSERT, which has ON CONFLICT on both PostgreSQL and SQLite."""
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


async def schedule(
    db: AsyncSession,
    kind: str,
    due_at: datetime,
    payload: Mapping[str, Any],
    dedupe_key: str,
    *,
    max_attempts: int = 5,
    now: datetime | None = None,
) -> Timer:
    """The timer named `dedupe_key`, created if new; scheduling it again is a no-op in any state.

    The insert is one ON CONFLICT DO NOTHING statement, so two workers scheduling the same
    reminder at once leave one row and neither transaction fails.
    """
    stamp = now or utcnow()
    stmt = (
        _insert(db)(Timer)
        .values(
            id=uuid7(),
            kind=kind,
            due_at=due_at,
            payload=dict(payload),
            dedupe_key=dedupe_key,
            status=PENDING,
            attempts=0,
            max_attempts=max_attempts,
            created_at=stamp,
            updated_at=stamp,
        )
        .on_conflict_do_nothing(index_elements=[Timer.dedupe_key])
    )
    await db.execute(stmt)
    timer = await get(db, dedupe_key)
    assert timer is not None
    return timer


async def get(db: AsyncSession, dedupe_key: str) -> Timer | None:
    return await db.scalar(
        select(Timer).where(Timer.dedupe_key == dedupe_key).execution_options(populate_existing=True)
    )


async def cancel(db: AsyncSession, dedupe_key: str, *, now: datetime | None = None) -> bool:
    """Stop a pending timer from firing; False if it already ran, is running or does not exist."""
    stamp = now or utcnow()
    result = await db.execute(
        update(Timer)
        .where(Timer.dedupe_key == dedupe_key, Timer.status == PENDING)
        .values(status=CANCELLED, finished_at=stamp, updated_at=stamp)
    )
    return bool(getattr(result, "rowcount", 0))


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Due and pending, or running under a lease that expired (its worker died) with tries left."""
    return or_(
        and_(Timer.status == PENDING, Timer.due_at <= now),
        and_(Timer.status == RUNNING, Timer.lease_until < now, Timer.attempts < Timer.max_attempts),
    )


async def claim_due(
    db: AsyncSession, owner: str, now: datetime, limit: int, lease_seconds: float
) -> list[Timer]:
    """Mark up to `limit` due timers running under `owner`'s lease and return them, oldest first.

    PostgreSQL: the candidates are locked with SELECT … FOR UPDATE SKIP LOCKED, so concurrent
    schedulers take disjoint sets without waiting. SQLite: one guarded UPDATE; the database has a
    single writer, and re-checking the status in the UPDATE keeps a row from being taken twice.
    """
    until = now + timedelta(seconds=lease_seconds)
    # Out of attempts and its lease ran out mid-run: that counts as a final failure.
    await db.execute(
        update(Timer)
        .where(Timer.status == RUNNING, Timer.lease_until < now, Timer.attempts >= Timer.max_attempts)
        .values(
            status=FAILED,
            finished_at=now,
            updated_at=now,
            lease_owner=None,
            lease_until=None,
            last_error="lease expired while running (worker stopped?)",
        )
        .execution_options(**_FRESH)
    )
    due = select(Timer.id).where(_claimable(now)).order_by(Timer.due_at, Timer.id).limit(limit)
    ids: Any
    if db.get_bind().dialect.name == "postgresql":
        ids = list(await db.scalars(due.with_for_update(skip_locked=True)))
        if not ids:
            return []
    else:
        ids = due.scalar_subquery()
    claimed = await db.scalars(
        update(Timer)
        .where(Timer.id.in_(ids), _claimable(now))
        .values(
            status=RUNNING, lease_owner=owner, lease_until=until, attempts=Timer.attempts + 1, updated_at=now
        )
        .returning(Timer)
        .execution_options(**_FRESH)
    )
    return sorted(claimed, key=lambda t: (t.due_at, t.id))


async def complete(db: AsyncSession, timer: Timer, owner: str, now: datetime) -> bool:
    """Mark a claimed timer done; False when `owner` no longer holds that claim (lease lost)."""
    result = await db.execute(
        update(Timer)
        .where(*_held(timer, owner))
        .values(
            status=DONE, finished_at=now, updated_at=now, lease_owner=None, lease_until=None, last_error=None
        )
    )
    return bool(getattr(result, "rowcount", 0))


def backoff(attempts: int, base_seconds: float = 30, cap_seconds: float = 3600) -> timedelta:
    """Delay before the next try: 30 s, 60 s, 120 s … doubling per attempt, at most an hour."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


async def fail(
    db: AsyncSession, timer: Timer, owner: str, now: datetime, error: str, retry_at: datetime | None = None
) -> str | None:
    """Record a failed attempt of a claimed timer.

    Back to pending at `retry_at` (default: exponential backoff), or `failed` for good once
    `max_attempts` is used up. Returns the new status, or None when `owner` lost the claim.
    """
    values: dict[str, Any] = {
        "last_error": error[:2000],
        "lease_owner": None,
        "lease_until": None,
        "updated_at": now,
    }
    if timer.attempts >= timer.max_attempts:
        values |= {"status": FAILED, "finished_at": now}
    else:
        values |= {"status": PENDING, "due_at": retry_at or now + backoff(timer.attempts)}
    result = await db.execute(update(Timer).where(*_held(timer, owner)).values(**values))
    return values["status"] if getattr(result, "rowcount", 0) else None


def _held(timer: Timer, owner: str) -> tuple[ColumnElement[bool], ...]:
    """Still the claim we made: running, ours, and not re-claimed since (attempts unchanged)."""
    return (
        Timer.id == timer.id,
        Timer.status == RUNNING,
        Timer.lease_owner == owner,
        Timer.attempts == timer.attempts,
    )


async def acquire_lease(db: AsyncSession, name: str, owner: str, now: datetime, ttl_seconds: float) -> bool:
    """Take or renew the lease `name`; True while `owner` holds it.

    One INSERT … ON CONFLICT DO UPDATE … WHERE (owner is us or the lease expired): the row lock
    makes concurrent contenders for a stale lease see each other's write, so one wins.
    """
    until = now + timedelta(seconds=ttl_seconds)
    stmt = (
        _insert(db)(SchedulerLease)
        .values(name=name, owner=owner, lease_until=until)
        .on_conflict_do_update(
            index_elements=[SchedulerLease.name],
            set_={"owner": owner, "lease_until": until},
            where=or_(SchedulerLease.owner == owner, SchedulerLease.lease_until < now),
        )
        .returning(SchedulerLease.owner)
    )
    won = (await db.execute(stmt)).scalar_one_or_none()
    return bool(won == owner)


async def release_lease(db: AsyncSession, name: str, owner: str) -> None:
    """Give the lease up so a standby scheduler takes over at once instead of after expiry."""
    await db.execute(delete(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.owner == owner))


async def lease_holder(db: AsyncSession, name: str, now: datetime) -> str | None:
    row = await db.get(SchedulerLease, name, populate_existing=True)
    return row.owner if row is not None and row.lease_until >= now else None
