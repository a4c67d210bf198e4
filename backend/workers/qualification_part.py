""" "May this person do X?" — the one question permits, work orders and the gate ask."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.catalog.service import covering, local_date, rule_at
from backend.people.models import Person
from backend.workers.deadlines_part import add_months, lapse_reason
from backend.workers.freeze_part import REASON_LABELS
from backend.workers.models import Certificate, Freeze, OffJobPeriod, PracticalAssessment


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str  # 中文, ready to show
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Qualification:
    allowed: bool
    person_id: uuid.UUID
    item_key: str
    on: date
    reasons: tuple[Reason, ...]
    certificate_id: uuid.UUID | None = None
    deadline_on: date | None = None

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


LAPSE_TEXT = {
    "expired": "证书已于 {date} 到期失效",
    "review_overdue": "复审已于 {date} 逾期，证书失效",
    "review_failed": "复审不合格（{date}），证书失效",
    "revoked": "证书已被撤销",
    "not_yet_valid": "证书 {date} 才生效",
}


def _lapse(cert: Certificate, code: str) -> Reason:
    when = cert.issued_on if code == "not_yet_valid" else cert.deadline_on
    if code == "review_failed" and cert.review_failed_on:
        when = cert.review_failed_on
    return Reason(code, LAPSE_TEXT[code].format(date=when.isoformat()), {"date": when.isoformat()})


async def qualification(
    db: AsyncSession, worker: uuid.UUID | Person, operation_item: str, at: datetime, catalog: Catalog
) -> Qualification:
    """Allowed, or refused with every reason that applies, for `operation_item` at `at`.

    Refusals: item_unknown, person_unknown, person_left, person_suspended, frozen,
    no_certificate, not_yet_valid, expired, review_overdue, review_failed, revoked, off_job
    (30号令: off the job ≥ 6 months without a new practical exam).
    """
    day = local_date(at, catalog.policy)
    person = worker if isinstance(worker, Person) else await db.get(Person, worker)
    pid = worker.id if isinstance(worker, Person) else worker

    def refuse(*reasons: Reason, cert: Certificate | None = None) -> Qualification:
        return Qualification(
            False,
            pid,
            operation_item,
            day,
            reasons,
            cert.id if cert else None,
            cert.deadline_on if cert else None,
        )

    if operation_item not in catalog.items:
        return refuse(
            Reason("item_unknown", f"操作项目 {operation_item} 不在证书目录中", {"item": operation_item})
        )
    if person is None or person.deleted_at is not None:
        return refuse(Reason("person_unknown", "人员不存在"))
    reasons: list[Reason] = []
    if person.employment == "left":
        reasons.append(Reason("person_left", "已离职，所有作业资格已冻结"))
    elif person.employment == "suspended":
        reasons.append(Reason("person_suspended", "已停职"))
    items = covering(catalog, operation_item)
    reasons += await _freezes(db, person.id, items, at)

    certs = list(
        await db.scalars(
            select(Certificate).where(
                Certificate.person_id == person.id,
                Certificate.item_key.in_(items),
                Certificate.deleted_at.is_(None),
            )
        )
    )
    if not certs:
        name = catalog.items[operation_item].name
        return refuse(*reasons, Reason("no_certificate", f"未持有「{name}」证书", {"item": operation_item}))
    certs.sort(key=lambda c: (lapse_reason(c, day) is None, c.deadline_on), reverse=True)
    best = certs[0]
    problem = lapse_reason(best, day)
    if problem is not None:
        reasons.append(_lapse(best, problem))
    reasons += await _off_job(db, person.id, best, items, day, catalog)
    if reasons:
        return refuse(*reasons, cert=best)
    return Qualification(True, person.id, operation_item, day, (), best.id, best.deadline_on)


async def _freezes(
    db: AsyncSession, person_id: uuid.UUID, items: frozenset[str], at: datetime
) -> list[Reason]:
    rows = await db.scalars(
        select(Freeze).where(
            Freeze.person_id == person_id,
            Freeze.deleted_at.is_(None),
            Freeze.frozen_at <= at,
            or_(Freeze.lifted_at.is_(None), Freeze.lifted_at > at),
            or_(Freeze.item_key.is_(None), Freeze.item_key.in_(items)),
        )
    )
    out = []
    for f in rows:
        label = REASON_LABELS.get(f.reason, f.reason)
        out.append(
            Reason(
                "frozen",
                f"已冻结：{label}（{f.frozen_at.date().isoformat()} 起）",
                {"reason": f.reason, "since": f.frozen_at.isoformat()},
            )
        )
    return out


async def _off_job(
    db: AsyncSession,
    person_id: uuid.UUID,
    cert: Certificate,
    items: frozenset[str],
    day: date,
    catalog: Catalog,
) -> list[Reason]:
    months = rule_at(catalog, cert.family, day).off_job_months
    if months <= 0:
        return []
    periods = await db.scalars(
        select(OffJobPeriod).where(
            OffJobPeriod.person_id == person_id,
            OffJobPeriod.deleted_at.is_(None),
            OffJobPeriod.started_on <= day,
            or_(OffJobPeriod.item_key.is_(None), OffJobPeriod.item_key.in_(items)),
        )
    )
    long = [p for p in periods if add_months(p.started_on, months) <= (p.ended_on or day)]
    if not long:
        return []
    since = max(p.started_on for p in long)
    passed = await db.scalar(
        select(PracticalAssessment.id).where(
            PracticalAssessment.person_id == person_id,
            PracticalAssessment.item_key.in_(items),
            PracticalAssessment.passed.is_(True),
            PracticalAssessment.assessed_on >= since,
            PracticalAssessment.assessed_on <= day,
            PracticalAssessment.deleted_at.is_(None),
        )
    )
    if passed is not None:
        return []
    return [
        Reason(
            "off_job",
            f"离岗超过{months}个月（{since.isoformat()} 起），须重新参加实际操作考试并合格",
            {"months": months, "since": since.isoformat()},
        )
    ]
