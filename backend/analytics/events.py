"""Permit and alarm events as the rollups count them, read straight from the records.

The fold (fold.py) tallies these per day to fill the rollups; the dashboard (rolled.py) tallies the
same events live for what the rollups do not cover (today, partial days). One function, `Tally.add_*`,
counts both, so a rolled-up day and a live one cannot disagree.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms.access import ancestors
from backend.alarms.models import Alarm
from backend.analytics.models import AlarmReview
from backend.people.models import Person
from backend.permits.models import Permit

BEHAVIOUR = frozenset(
    {
        "person_under_load",
        "no_permit_work",
        "out_of_scope_work",
        "confined_space_unventilated",
        "harness_not_high_hook",
        "no_harness",
        "no_helmet",
        "guardian_absent",
    }
)  # alarm kinds that are a person's behaviour (backend/alarms/routing.json)
CELL = 40  # site-plan pixels per heatmap cell
Span = tuple[datetime, datetime]


def day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


@dataclass(frozen=True, slots=True)
class PermitEv:
    path: str
    trade: str
    submitted_at: datetime | None
    approved_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    valid_until: datetime


@dataclass(frozen=True, slots=True)
class AlarmEv:
    path: str
    trade: str
    kind: str
    source: str
    received_at: datetime
    response: float | None
    verdict: str | None
    area_id: uuid.UUID | None
    x: int | None
    y: int | None

    def violation(self) -> bool:
        return self.kind in BEHAVIOUR and self.verdict != "false_positive"


@dataclass
class Tally:
    """What the event indicators count, over some set of events (a day, a bucket, a window)."""

    started: int = 0
    unapproved: int = 0
    finished: int = 0
    over: int = 0
    minutes: list[float] = field(default_factory=list)
    alarms: int = 0
    answered: int = 0
    response: list[float] = field(default_factory=list)  # partial sums, added exactly with fsum
    sos: int = 0
    sos_answered: int = 0
    sos_response: list[float] = field(default_factory=list)
    ai_reviewed: int = 0
    ai_false: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def add_start(self, p: PermitEv) -> None:
        assert p.started_at is not None
        self.started += 1
        if p.approved_at is None or p.started_at < p.approved_at:
            self.unapproved += 1
        if p.finished_at is not None:  # open permits are judged live, against the window's end
            self.finished += 1
            if p.finished_at > p.valid_until:
                self.over += 1

    def add_approval(self, p: PermitEv) -> None:
        assert p.approved_at is not None and p.submitted_at is not None
        self.minutes.append(round((p.approved_at - p.submitted_at).total_seconds() / 60, 1))

    def add_alarm(self, a: AlarmEv) -> None:
        self.alarms += 1
        if a.response is not None:
            self.answered += 1
            self.response.append(a.response)
        if a.kind == "sos":
            self.sos += 1
            if a.response is not None:
                self.sos_answered += 1
                self.sos_response.append(a.response)
        if a.source == "edge" and a.verdict:
            self.ai_reviewed += 1
            self.ai_false += a.verdict == "false_positive"
        if a.verdict != "false_positive":
            self.kinds[a.kind] += 1

    def merge(self, o: Tally) -> None:
        for name in ("started", "unapproved", "finished", "over", "alarms", "answered"):
            setattr(self, name, getattr(self, name) + getattr(o, name))
        for name in ("sos", "sos_answered", "ai_reviewed", "ai_false"):
            setattr(self, name, getattr(self, name) + getattr(o, name))
        self.minutes += o.minutes
        self.response += o.response
        self.sos_response += o.sos_response
        self.kinds.update(o.kinds)

    def row(self) -> dict[str, Any]:
        """The columns of an `analytics_days` row."""
        return {
            "permits_started": self.started,
            "permits_unapproved": self.unapproved,
            "permits_finished": self.finished,
            "permits_over": self.over,
            "approval_minutes": sorted(self.minutes),
            "alarms": self.alarms,
            "alarms_answered": self.answered,
            "response_sum": math.fsum(self.response),
            "sos": self.sos,
            "sos_answered": self.sos_answered,
            "sos_response_sum": math.fsum(self.sos_response),
            "ai_reviewed": self.ai_reviewed,
            "ai_false": self.ai_false,
            "alarm_kinds": dict(sorted(self.kinds.items())),
        }


def inside(at: datetime | None, spans: Sequence[Span]) -> bool:
    return at is not None and any(a <= at < b for a, b in spans)


def _any_in(column: Any, spans: Sequence[Span]) -> ColumnElement[bool]:
    if len(spans) > 40:  # many small spans: read their hull, keep the events inside in Python
        spans = [(min(a for a, _ in spans), max(b for _, b in spans))]
    return or_(*(and_(column >= a, column < b) for a, b in spans))


def _scoped(column: Any, scope: str | None, with_ancestors: bool = False) -> ColumnElement[bool]:
    if scope is None:
        return column.is_not(None)
    under = column.startswith(scope, autoescape=True)
    return or_(under, column.in_(ancestors(scope))) if with_ancestors else under


async def people_paths(db: AsyncSession) -> dict[uuid.UUID, str]:
    return {pid: path for pid, path in await db.execute(select(Person.id, Person.unit_path))}


def _permit_query(scope: str | None, trade: str | None) -> Any:
    q = select(
        Permit.scope_path,
        Permit.work_type,
        Permit.applicant_id,
        Permit.submitted_at,
        Permit.approved_at,
        Permit.started_at,
        Permit.completed_at,
        Permit.ended_at,
        Permit.valid_until,
    ).where(Permit.deleted_at.is_(None), _scoped(Permit.scope_path, scope, with_ancestors=True))
    return q if trade is None else q.where(Permit.work_type == trade)


def _permit_evs(rows: Any, people: dict[uuid.UUID, str], scope: str | None) -> list[PermitEv]:
    out = []
    for path, trade, applicant, sub, appr, start, done, ended, valid in rows:
        # Filed under the workshop; the applying team leader's team places it one level down.
        team = people.get(applicant, path)
        place = team if team.startswith(path) else path
        if scope is not None and not place.startswith(scope):
            continue
        out.append(PermitEv(place, trade or "", sub, appr, start, done or ended, valid))
    return out


async def permits_in(
    db: AsyncSession,
    spans: Sequence[Span],
    people: dict[uuid.UUID, str],
    scope: str | None = None,
    trade: str | None = None,
) -> list[PermitEv]:
    """Permits started or approved inside any of `spans` (under `scope`, of `trade`)."""
    if not spans:
        return []
    q = _permit_query(scope, trade).where(
        or_(_any_in(Permit.started_at, spans), _any_in(Permit.approved_at, spans))
    )
    return _permit_evs(await db.execute(q), people, scope)


async def open_permits(
    db: AsyncSession,
    since: datetime,
    until: datetime,
    people: dict[uuid.UUID, str],
    scope: str,
    trade: str | None,
) -> list[PermitEv]:
    """Permits started in [since, until) and not finished: their overtime depends on the window's end."""
    q = _permit_query(scope, trade).where(
        Permit.started_at >= since,
        Permit.started_at < until,
        Permit.completed_at.is_(None),
        Permit.ended_at.is_(None),
    )
    return _permit_evs(await db.execute(q), people, scope)


async def alarms_in(
    db: AsyncSession,
    spans: Sequence[Span],
    scope: str | None = None,
    trade: str | None = None,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[AlarmEv]:
    """Alarms received inside any of `spans` (under `scope`, of `trade`), with people's verdicts."""
    if not spans:
        return []
    q = (
        select(
            Alarm.scope_path,
            Alarm.detail,
            Alarm.kind,
            Alarm.source,
            Alarm.received_at,
            Alarm.response_seconds,
            AlarmReview.verdict,
            Alarm.area_id,
            Alarm.x,
            Alarm.y,
        )
        .outerjoin(AlarmReview, AlarmReview.alarm_id == Alarm.id)
        .where(
            Alarm.deleted_at.is_(None),
            _scoped(Alarm.scope_path, scope),
            _any_in(Alarm.received_at, spans),
        )
    )
    out = []
    for path, detail, kind, source, received, resp, verdict, area, x, y in await db.execute(q):
        t = detail.get("work_type") if isinstance(detail, dict) else None
        t = t if isinstance(t, str) else ""
        if trade is not None and t != trade:
            continue
        out.append(AlarmEv(path, t, kind, source, received, resp, verdict, area, x, y))
    return out


def hour_key(a: AlarmEv) -> tuple[datetime, str, str, Any, Any, Any]:
    """The `analytics_hours` key of a violation: UTC hour, place, trade, area, site-plan cell."""
    h = a.received_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    cx = a.x // CELL if a.x is not None and a.y is not None else None
    cy = a.y // CELL if a.x is not None and a.y is not None else None
    return (h, a.path, a.trade, a.area_id, cx, cy)


def spans_of_days(days: Sequence[date]) -> list[Span]:
    """Consecutive days merged into [start, end) spans."""
    out: list[Span] = []
    for d in sorted(set(days)):
        a, b = day_start(d), day_start(d) + timedelta(days=1)
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
