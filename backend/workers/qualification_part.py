""" "May this person do X?" — the one question permits, work orders and the gate ask."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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
    person = worker if isinstance(worker, Person) else await db.get(Person, worker)
    pid = worker.id if isinstance(worker, Person) else worker
    return (await qualifications(db, [(pid, person, operation_item)], at, catalog))[0]


Ask = tuple[uuid.UUID, Person | None, str]  # (person id, the person as loaded or None, operation item)


async def qualifications(
    db: AsyncSession,
    asks: Sequence[Ask],
    at: datetime,
    catalog: Catalog,
    freezes: dict[uuid.UUID, list[Freeze]] | None = None,
) -> list[Qualification]:
    """`qualification()` of several (person, item) pairs at `at`, in the order asked.

    The freezes, certificates and off-job periods of everyone asked are read with one statement
    each, whatever the number of people (a permit's crew is checked at approval time). `freezes`:
    the caller has read them already (`freezes_at`, a superset is fine)."""
    day = local_date(at, catalog.policy)
    known = [(pid, p, item) for pid, p, item in asks if item in catalog.items and p and p.deleted_at is None]
    covers = {item: covering(catalog, item) for _, _, item in known}
    people = list(dict.fromkeys(pid for pid, _, _ in known))
    wanted = sorted(frozenset().union(*covers.values())) if covers else []
    if freezes is None:
        freezes = await freezes_at(db, people, at, wanted) if people else {}
    certs = (
        await _rows_by_person(
            db,
            select(Certificate).where(
                Certificate.person_id.in_(people),
                Certificate.item_key.in_(wanted),
                Certificate.deleted_at.is_(None),
            ),
        )
        if people
        else {}
    )
    out: list[Qualification] = []
    waiting: list[tuple[int, Person, Certificate, frozenset[str], list[Reason], int]] = []
    for pid, person, operation_item in asks:
        if operation_item not in catalog.items:
            unknown = Reason(
                "item_unknown", f"操作项目 {operation_item} 不在证书目录中", {"item": operation_item}
            )
            out.append(_refused(pid, operation_item, day, [unknown]))
            continue
        if person is None or person.deleted_at is not None:
            out.append(_refused(pid, operation_item, day, [Reason("person_unknown", "人员不存在")]))
            continue
        reasons: list[Reason] = []
        if person.employment == "left":
            reasons.append(Reason("person_left", "已离职，所有作业资格已冻结"))
        elif person.employment == "suspended":
            reasons.append(Reason("person_suspended", "已停职"))
        items = covers[operation_item]
        reasons += [
            _frozen(f) for f in freezes.get(person.id, []) if f.item_key is None or f.item_key in items
        ]
        held = [c for c in certs.get(person.id, []) if c.item_key in items]
        if not held:
            name = catalog.items[operation_item].name
            missing = Reason("no_certificate", f"未持有「{name}」证书", {"item": operation_item})
            out.append(_refused(pid, operation_item, day, [*reasons, missing]))
            continue
        held.sort(key=lambda c: (lapse_reason(c, day) is None, c.deadline_on), reverse=True)
        best = held[0]
        problem = lapse_reason(best, day)
        if problem is not None:
            reasons.append(_lapse(best, problem))
        months = rule_at(catalog, best.family, day).off_job_months
        if months > 0:  # settled below, once the off-job periods of all of them are read
            waiting.append((len(out), person, best, items, reasons, months))
        out.append(
            _refused(pid, operation_item, day, reasons, best)
            if reasons
            else Qualification(True, person.id, operation_item, day, (), best.id, best.deadline_on)
        )
    if waiting:
        periods = await _rows_by_person(
            db,
            select(OffJobPeriod).where(
                OffJobPeriod.person_id.in_({w[1].id for w in waiting}),
                OffJobPeriod.deleted_at.is_(None),
                OffJobPeriod.started_on <= day,
            ),
        )
        for at_index, person, best, items, reasons, months in waiting:
            mine = [p for p in periods.get(person.id, []) if p.item_key is None or p.item_key in items]
            off = await _off_job(db, person.id, mine, items, day, months)
            if off:
                q = out[at_index]
                out[at_index] = _refused(q.person_id, q.item_key, day, [*reasons, *off], best)
    return out


def _refused(
    pid: uuid.UUID, item: str, day: date, reasons: Sequence[Reason], cert: Certificate | None = None
) -> Qualification:
    return Qualification(
        False, pid, item, day, tuple(reasons), cert.id if cert else None, cert.deadline_on if cert else None
    )


async def _rows_by_person(db: AsyncSession, query: Any) -> dict[uuid.UUID, list[Any]]:
    found: dict[uuid.UUID, list[Any]] = {}
    for row in await db.scalars(query):
        found.setdefault(row.person_id, []).append(row)
    return found


async def freezes_at(
    db: AsyncSession, people: Sequence[uuid.UUID], at: datetime, items: Sequence[str] | None = None
) -> dict[uuid.UUID, list[Freeze]]:
    """Freezes of `people` in force at `at` (of the whole person, or of one of `items`; of any item
    when `items` is None), oldest first, by person."""
    query = select(Freeze).where(
        Freeze.person_id.in_(people),
        Freeze.deleted_at.is_(None),
        Freeze.frozen_at <= at,
        or_(Freeze.lifted_at.is_(None), Freeze.lifted_at > at),
    )
    if items is not None:
        query = query.where(or_(Freeze.item_key.is_(None), Freeze.item_key.in_(items)))
    return await _rows_by_person(db, query.order_by(Freeze.frozen_at))


def _frozen(f: Freeze) -> Reason:
    label = REASON_LABELS.get(f.reason, f.reason)
    return Reason(
        "frozen",
        f"已冻结：{label}（{f.frozen_at.date().isoformat()} 起）",
        {"reason": f.reason, "since": f.frozen_at.isoformat()},
    )


async def _off_job(
    db: AsyncSession,
    person_id: uuid.UUID,
    periods: Sequence[OffJobPeriod],
    items: frozenset[str],
    day: date,
    months: int,
) -> list[Reason]:
    """30号令: off the job for `months` or more since the certificate's item was last practised."""
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
