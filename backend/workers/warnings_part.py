"""Three-level warnings on durable timers: T-90 reminder, T-30 HR retraining task, T-0 freeze.

Each certificate's timers are named `cert:{id}:T-{days}:{deadline}`: scheduling is idempotent,
and a new deadline (renewal, passed review) gives new names, so the old pending ones are
cancelled and the new ones armed. Timers are armed only `policy.horizon_days` ahead; the daily
scan arms the rest as their time comes (a few rows a day instead of 750k at once). A level
whose successor is already due is skipped: a certificate imported 10 days before expiry gets
its T-30 task now, not a T-90 reminder as well.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog, Policy
from backend.catalog.service import catalog_for, item, local_date, local_moment
from backend.integrations import service as outbox
from backend.jobs import service as jobs
from backend.jobs.registry import JobContext
from backend.people import service as people
from backend.people.models import Person
from backend.permits.approvals import notify as notify_one
from backend.workers.deadlines_part import lapse_reason
from backend.workers.freeze_part import freeze
from backend.workers.models import Certificate

log = logging.getLogger("tezuo.workers")

WARNING = "workers.certificate_warning"
REMIND, RETRAIN, FREEZE = "remind", "retrain", "freeze"
WORKSHOP_ROLES = ("workshop_director", "safety_officer", "team_leader")
KIND_LABELS = {"review": "复审", "renewal": "换证", "extension": "延期复核"}


@dataclass(frozen=True)
class Level:
    name: str  # remind | retrain | freeze
    label: str  # T-90 / T-30 / T-0 as the policy sets them
    due_at: datetime


def levels(deadline: date, policy: Policy) -> list[Level]:
    """The three warnings of a deadline (the last valid day), in firing order."""
    p = policy
    return [
        Level(
            REMIND,
            f"T-{p.remind_days}",
            local_moment(deadline - timedelta(days=p.remind_days), p.notify_hour, p),
        ),
        Level(
            RETRAIN,
            f"T-{p.retrain_days}",
            local_moment(deadline - timedelta(days=p.retrain_days), p.notify_hour, p),
        ),
        # T-0: when the last valid day is over (+ grace), i.e. 00:00 the next local day.
        Level(FREEZE, "T-0", local_moment(deadline + timedelta(days=1 + p.freeze_grace_days), 0, p)),
    ]


def timer_prefix(cert_id: uuid.UUID) -> str:
    return f"cert:{cert_id}:"


def timer_key(cert_id: uuid.UUID, level: Level, deadline: date) -> str:
    return f"cert:{cert_id}:{level.label}:{deadline.isoformat()}"


def horizon_end(now: datetime, policy: Policy) -> datetime:
    """Timers due before this moment are armed now; later ones by a later daily scan."""
    return local_moment(local_date(now, policy) + timedelta(days=policy.horizon_days + 1), 0, policy)


def due_levels(
    deadline: date, policy: Policy, now: datetime, *, since: datetime | None = None
) -> list[Level]:
    """The levels to arm now: due before the horizon, after `since`, and not superseded."""
    out = []
    all_levels = levels(deadline, policy)
    end = horizon_end(now, policy)
    for i, level in enumerate(all_levels):
        successor = all_levels[i + 1] if i + 1 < len(all_levels) else None
        if successor is not None and successor.due_at <= now:
            continue
        if level.due_at >= end or (since is not None and level.due_at < since):
            continue
        out.append(level)
    return out


def timer_rows(
    certs: Iterable[tuple[uuid.UUID, date]], policy: Policy, now: datetime, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Timer rows for (certificate id, deadline) pairs, ready for `jobs.schedule_many`."""
    rows = []
    for cert_id, deadline in certs:
        for level in due_levels(deadline, policy, now, since=since):
            rows.append(
                {
                    "kind": WARNING,
                    "due_at": max(level.due_at, now),
                    "payload": {
                        "certificate_id": str(cert_id),
                        "level": level.name,
                        "deadline_on": deadline.isoformat(),
                    },
                    "dedupe_key": timer_key(cert_id, level, deadline),
                }
            )
    return rows


async def arm(db: AsyncSession, certs: Sequence[Certificate], catalog: Catalog, now: datetime) -> None:
    """(Re-)arm the warnings of these certificates after their dates changed or they were created."""
    live = [c for c in certs if c.revoked_at is None and c.deleted_at is None]
    for cert in certs:
        keep = frozenset(
            timer_key(cert.id, lv, cert.deadline_on) for lv in levels(cert.deadline_on, catalog.policy)
        )
        await jobs.cancel_matching(
            db, timer_prefix(cert.id), keep=keep if cert in live else frozenset(), now=now
        )
    await jobs.schedule_many(
        db, timer_rows([(c.id, c.deadline_on) for c in live], catalog.policy, now), now=now
    )


async def disarm(db: AsyncSession, certs: Sequence[Certificate], now: datetime) -> None:
    for cert in certs:
        await jobs.cancel_matching(db, timer_prefix(cert.id), now=now)


# ---------------------------------------------------------------- the handler


def _countdown_text(cert: Certificate, item_name: str, days: int) -> str:
    kind = KIND_LABELS.get(cert.deadline_kind, cert.deadline_kind)
    return f"{item_name} 证书须在 {cert.deadline_on:%Y-%m-%d} 前完成{kind}（剩余 {days} 天）"


def workshop_of(person: Person) -> str:
    """/ENT/SITE/WS/… → /ENT/SITE/WS/ (the person's own unit when it is higher up)."""
    parts = [p for p in person.unit_path.split("/") if p]
    return "/" + "/".join(parts[:3]) + "/"


async def certificate_warning(ctx: JobContext) -> None:
    """Timer handler: one warning level of one certificate deadline."""
    settings = ctx.require_settings()
    catalog = catalog_for(settings)
    payload = ctx.timer.payload
    cert = await ctx.db.get(Certificate, uuid.UUID(payload["certificate_id"]))
    if (
        cert is None
        or cert.deleted_at is not None
        or cert.revoked_at is not None
        or cert.deadline_on.isoformat() != payload["deadline_on"]
    ):
        log.info("warning %s is stale (certificate renewed, revoked or gone)", ctx.timer.dedupe_key)
        return
    person = await ctx.db.get(Person, cert.person_id)
    if person is None or person.employment == "left":
        return
    await fire(ctx.db, catalog, person, cert, payload["level"], ctx.timer.dedupe_key, ctx.now)


async def fire(
    db: AsyncSession, catalog: Catalog, person: Person, cert: Certificate, level: str, key: str, now: datetime
) -> None:
    it = item(catalog, cert.item_key)
    days = (cert.deadline_on - local_date(now, catalog.policy)).days
    data = {
        "certificate_id": str(cert.id),
        "person_id": str(person.id),
        "item_key": cert.item_key,
        "deadline_on": cert.deadline_on.isoformat(),
        "deadline_kind": cert.deadline_kind,
        "level": level,
    }
    workshop = await people.holders_covering(db, person.unit_path, WORKSHOP_ROLES, within=workshop_of(person))
    if level == REMIND:
        text = _countdown_text(cert, it.name, days)
        await notify(
            db, [person.id], "certificate.remind", "证书即将到期", text, data, dedupe_key=key, now=now
        )
        await notify(
            db,
            workshop,
            "certificate.remind",
            f"{person.name} 证书即将到期",
            text,
            data,
            dedupe_key=key,
            now=now,
        )
    elif level == RETRAIN:
        text = _countdown_text(cert, it.name, days) + "，人事已安排复训"
        await notify(
            db, [person.id], "certificate.retrain", "请参加复训", text, data, dedupe_key=key, now=now
        )
        await outbox.enqueue(
            db,
            "hr",
            "retraining.requested",
            {
                **data,
                "person": {
                    "person_id": str(person.id),
                    "name": person.name,
                    "id_number_masked": person.id_number_masked,
                },
                "unit_path": person.unit_path,
                "item_name": it.name,
                "family": cert.family,
                "issuing_authority": cert.issuing_authority,
                "apply_by": cert.deadline_on.isoformat(),
            },
            dedupe_key=hr_key(cert.id, cert.deadline_on),
            ordering_key=f"hr:{person.id}",
            now=now,
        )
    elif level == FREEZE:
        reason = lapse_reason(cert, local_date(now, catalog.policy)) or "expired"
        await freeze(db, person, reason if reason != "not_yet_valid" else "expired", now, certificate=cert)
        todo = KIND_LABELS.get(cert.deadline_kind, "")
        text = f"{it.name} 证书已失效，门禁与作业资格已冻结；完成{todo}后自动解冻"
        await notify(
            db,
            [person.id, *workshop],
            "certificate.frozen",
            "资格已冻结",
            text,
            data,
            dedupe_key=key,
            now=now,
        )


async def notify(
    db: AsyncSession,
    recipients: Iterable[uuid.UUID],
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any],
    *,
    dedupe_key: str,
    now: datetime,
) -> None:
    """An in-app notification per recipient, once per timer (the table is the permits domain's,
    which also carries web push later); `now` is kept for the call sites' symmetry."""
    for rid in dict.fromkeys(recipients):
        await notify_one(db, rid, kind, title, body, None, f"{dedupe_key}:{rid}", data)


def hr_key(cert_id: uuid.UUID, deadline: date) -> str:
    return f"hr:retrain:{cert_id}:{deadline.isoformat()}"
