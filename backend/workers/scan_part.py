"""The daily scan: statuses recomputed in one UPDATE, the warnings whose time is near armed in
bulk, and the shadow-operator list as one query. Set-based so 250k certificates take seconds."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.catalog.service import catalog_for, covering, local_date, local_moment
from backend.jobs import service as jobs
from backend.jobs.registry import JobContext
from backend.people.models import Person
from backend.workers.deadlines_part import plan_deadlines
from backend.workers.models import Assignment, Certificate
from backend.workers.views_part import in_scopes
from backend.workers.warnings_part import timer_rows

log = logging.getLogger("tezuo.workers")

SCAN = "workers.daily_scan"
USABLE = ("valid", "review_due")


@dataclass(frozen=True)
class ScanResult:
    day: date
    recomputed: int
    status_changes: int
    timers_armed: int
    by_status: dict[str, int]


def status_case(today: date, shadow_after_days: int) -> Any:
    """deadlines_part.status_on as SQL (keep the two in step; a test compares them)."""
    holder_active = exists().where(Person.id == Certificate.person_id, Person.employment == "active")
    return case(
        (Certificate.revoked_at.is_not(None), "revoked"),
        (and_(Certificate.deadline_on < today - timedelta(days=shadow_after_days), holder_active), "shadow"),
        (Certificate.deadline_on < today, "expired"),
        (Certificate.window_opens_on <= today, "review_due"),
        else_="valid",
    )


async def refresh_statuses(db: AsyncSession, today: date, catalog: Catalog) -> int:
    """Write today's status where it changed; returns how many rows changed."""
    new = status_case(today, catalog.policy.shadow_after_days)
    result = await db.execute(
        update(Certificate)
        .where(Certificate.deleted_at.is_(None), Certificate.status != new)
        .values(status=new)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def arm_near_timers(db: AsyncSession, catalog: Catalog, now: datetime, since: date | None) -> int:
    """Arm the warnings due between the last scan and the horizon, for certificates of people
    still employed. Candidates come from three date ranges (one per level), not a full pass."""
    p = catalog.policy
    today = local_date(now, p)
    lo = since - timedelta(days=1) if since else None
    hi = today + timedelta(days=p.horizon_days + 1)
    ranges = []
    for offset in (p.remind_days, p.retrain_days, -(1 + p.freeze_grace_days)):
        upper = hi + timedelta(days=offset)
        ranges.append(
            Certificate.deadline_on <= upper
            if lo is None
            else Certificate.deadline_on.between(lo + timedelta(days=offset), upper)
        )
    employed = exists().where(Person.id == Certificate.person_id, Person.employment != "left")
    rows = (
        await db.execute(
            select(Certificate.id, Certificate.deadline_on).where(
                Certificate.deleted_at.is_(None), Certificate.revoked_at.is_(None), or_(*ranges), employed
            )
        )
    ).all()
    since_at = local_moment(lo, 0, p) if lo else None
    timers = timer_rows(((cid, deadline) for cid, deadline in rows), p, now, since=since_at)
    await jobs.schedule_many(db, timers, now=now)
    return len(timers)


async def recompute_all(db: AsyncSession, catalog: Catalog, today: date, batch: int = 2000) -> int:
    """Recompute every certificate's deadlines (after the catalogue's rules changed)."""
    changed = 0
    last: uuid.UUID | None = None
    while True:
        query = (
            select(Certificate).where(Certificate.deleted_at.is_(None)).order_by(Certificate.id).limit(batch)
        )
        if last is not None:
            query = query.where(Certificate.id > last)
        certs = (await db.scalars(query)).all()
        if not certs:
            return changed
        for c in certs:
            d = plan_deadlines(
                catalog,
                c.family,
                c.issued_on,
                c.valid_until,
                c.last_reviewed_on,
                c.review_failed_on,
                c.review_extended,
            )
            if (c.review_due_on, c.deadline_on, c.deadline_kind, c.window_opens_on) != tuple(
                (d.review_due_on, d.deadline_on, d.deadline_kind, d.window_opens_on)
            ):
                c.review_due_on, c.deadline_on = d.review_due_on, d.deadline_on
                c.deadline_kind, c.window_opens_on = d.deadline_kind, d.window_opens_on
                changed += 1
        await db.flush()
        last = certs[-1].id
        db.expunge_all()


async def daily_scan(
    db: AsyncSession, catalog: Catalog, now: datetime, *, since: date | None = None, recompute: bool = False
) -> ScanResult:
    """Today's statuses and warnings. `since`: the previous scan's day (None: look at everything)."""
    today = local_date(now, catalog.policy)
    recomputed = await recompute_all(db, catalog, today) if recompute else 0
    changes = await refresh_statuses(db, today, catalog)
    armed = await arm_near_timers(db, catalog, now, since)
    counts = dict(
        (
            await db.execute(
                select(Certificate.status, func.count())
                .where(Certificate.deleted_at.is_(None))
                .group_by(Certificate.status)
            )
        ).all()
    )
    return ScanResult(today, recomputed, changes, armed, {k: int(v) for k, v in counts.items()})


def scan_key(day: date) -> str:
    return f"{SCAN}:{day.isoformat()}"


async def seed(db: AsyncSession, now: datetime) -> None:
    """Today's scan, due now unless it already ran; called when a scheduler takes the lease."""
    from backend.catalog.service import load_catalog

    policy = load_catalog(None).policy  # only the day boundary is needed here
    last = await jobs.last_done(db, SCAN)
    since = last.payload.get("day") if last else None
    day = local_date(now, policy)
    payload = {
        "day": day.isoformat(),
        "since": since,
        "fingerprint": last.payload.get("fingerprint") if last else None,
    }
    await jobs.schedule(db, SCAN, now, payload, scan_key(day), now=now)


async def daily_scan_job(ctx: JobContext) -> None:
    """Timer handler: scan, then arm tomorrow's scan at policy.scan_hour local time."""
    catalog = catalog_for(ctx.require_settings())
    payload = ctx.timer.payload
    since = date.fromisoformat(payload["since"]) if payload.get("since") else None
    recompute = payload.get("fingerprint") not in (None, catalog.fingerprint)
    result = await daily_scan(ctx.db, catalog, ctx.now, since=since, recompute=recompute)
    log.info(
        "daily scan %s: %d status changes, %d timers armed, %d recomputed, %s",
        result.day,
        result.status_changes,
        result.timers_armed,
        result.recomputed,
        result.by_status,
    )
    tomorrow = result.day + timedelta(days=1)
    await jobs.schedule(
        ctx.db,
        SCAN,
        local_moment(tomorrow, catalog.policy.scan_hour, catalog.policy),
        {"day": tomorrow.isoformat(), "since": result.day.isoformat(), "fingerprint": catalog.fingerprint},
        scan_key(tomorrow),
        now=ctx.now,
    )


# ---------------------------------------------------------------- shadow operators


@dataclass(frozen=True)
class Shadow:
    person_id: uuid.UUID
    item_key: str
    reason: str  # no_certificate | expired | shadow | revoked
    certificate_id: uuid.UUID | None
    deadline_on: date | None


async def shadow_operators(
    db: AsyncSession, catalog: Catalog, scope_paths: list[str] | None = None
) -> list[Shadow]:
    """影子操作工: employed people whose assigned item has no usable certificate, and employed
    holders of certificates lapsed > shadow_after_days. Status must be fresh (daily scan)."""
    usable = exists().where(
        Certificate.person_id == Assignment.person_id,
        Certificate.item_key == Assignment.item_key,
        Certificate.status.in_(USABLE),
        Certificate.deleted_at.is_(None),
    )
    query = (
        select(Assignment.person_id, Assignment.item_key)
        .join(Person, Person.id == Assignment.person_id)
        .where(Person.employment == "active", Assignment.deleted_at.is_(None), not_(usable))
    )
    if scope_paths is not None:
        query = query.where(in_scopes(Assignment.scope_path, scope_paths))
    missing = (await db.execute(query)).all()
    by_person: dict[uuid.UUID, list[Certificate]] = {}
    people = list(dict.fromkeys(pid for pid, _ in missing))
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        for c in await db.scalars(select(Certificate).where(Certificate.person_id.in_(chunk))):
            by_person.setdefault(c.person_id, []).append(c)
    out: dict[tuple[uuid.UUID, str], Shadow] = {}
    for pid, key in missing:
        held = [
            c for c in by_person.get(pid, []) if c.item_key in covering(catalog, key) and c.deleted_at is None
        ]
        if any(c.status in USABLE for c in held):
            continue  # an equivalent item covers it
        worst = max(held, key=lambda c: c.deadline_on, default=None)
        reason = worst.status if worst else "no_certificate"
        out[(pid, key)] = Shadow(
            pid, key, reason, worst.id if worst else None, worst.deadline_on if worst else None
        )
    lapsed = (
        select(Certificate)
        .join(Person, Person.id == Certificate.person_id)
        .where(
            Certificate.status == "shadow", Person.employment == "active", Certificate.deleted_at.is_(None)
        )
    )
    if scope_paths is not None:
        lapsed = lapsed.where(in_scopes(Certificate.scope_path, scope_paths))
    for c in await db.scalars(lapsed):
        out.setdefault(
            (c.person_id, c.item_key), Shadow(c.person_id, c.item_key, "shadow", c.id, c.deadline_on)
        )
    return sorted(out.values(), key=lambda s: (s.deadline_on or date.min, str(s.person_id)))
