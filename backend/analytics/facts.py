"""The records indicators are computed from, loaded once per request as plain rows with their
drill-down dimensions: org path (site/workshop/team), trade and the people involved."""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms.access import ancestors
from backend.alarms.models import Alarm
from backend.analytics.models import AlarmReview, DetectorCalibration
from backend.gas.models import GasDetector
from backend.people.models import Person
from backend.permits.models import Permit
from backend.workers.models import (
    Assignment,
    Certificate,
    CertificateEvent,
    Freeze,
    PracticalAssessment,
)

# Certificate history entries that close a review deadline (复审 / 换证 / 延期复核 done).
REVIEW_EVENTS = ("reviewed", "renewed")
# Freezes the T-0 warning level writes when a deadline passes unreviewed.
DEADLINE_FREEZES = ("expired", "review_overdue")


@dataclass(frozen=True, slots=True)
class Dims:
    path: str
    trade: str | None
    people: tuple[str, ...]  # person ids as text: cheap to hash, compared with str(uuid)


@dataclass(frozen=True, slots=True)
class PermitRow:
    id: uuid.UUID
    number: str
    dims: Dims
    submitted_at: datetime | None
    approved_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    valid_until: datetime


@dataclass(frozen=True, slots=True)
class AlarmRow:
    id: uuid.UUID
    kind: str
    source: str
    dims: Dims
    received_at: datetime
    response_seconds: float | None
    verdict: str | None
    area_id: uuid.UUID | None
    x: int | None
    y: int | None


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    id: uuid.UUID
    dims: Dims
    on: date
    passed: bool


@dataclass(frozen=True, slots=True)
class CertRow:
    id: uuid.UUID
    dims: Dims
    issued_on: date
    deadline_on: date
    revoked_on: date | None

    def usable_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.deadline_on and (
            self.revoked_on is None or self.revoked_on > day
        )


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    id: uuid.UUID
    dims: Dims
    assigned_on: date
    left_on: date | None  # the holder left the company (or None: still employed)


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """A review deadline met (`kind` = reviewed/renewed) or missed (a T-0 freeze)."""

    certificate_id: uuid.UUID
    dims: Dims
    at: datetime
    kind: str


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    id: uuid.UUID
    detector_id: uuid.UUID
    detector_code: str
    dims: Dims
    at: datetime
    deviation_percent: float


@dataclass(frozen=True, slots=True)
class DetectorRow:
    id: uuid.UUID
    code: str
    dims: Dims


R = TypeVar("R")
ROW_LISTS = (
    "permits",
    "alarms",
    "assessments",
    "certificates",
    "assignments",
    "deadlines",
    "calibrations",
    "detectors",
)


@dataclass
class Facts:
    """Everything the indicators read, already narrowed to a scope; `now` caps open intervals."""

    now: datetime
    permits: list[PermitRow] = field(default_factory=list)
    alarms: list[AlarmRow] = field(default_factory=list)
    assessments: list[AssessmentRow] = field(default_factory=list)
    certificates: list[CertRow] = field(default_factory=list)
    assignments: list[AssignmentRow] = field(default_factory=list)
    deadlines: list[DeadlineRow] = field(default_factory=list)
    calibrations: list[CalibrationRow] = field(default_factory=list)
    detectors: list[DetectorRow] = field(default_factory=list)
    _sorted: dict[str, tuple[list[Any], list[Any]]] = field(default_factory=dict, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # indexes the indicators derive once
    want_records: bool = True  # False while computing a trend: only the values are needed

    def narrowed(self, keep: Callable[[Dims], bool]) -> Facts:
        """The same facts, keeping only rows whose dimensions pass `keep`."""

        def f(rows: Sequence[R]) -> list[R]:
            return [r for r in rows if keep(r.dims)]  # type: ignore[attr-defined]

        return replace(
            self,
            permits=f(self.permits),
            alarms=f(self.alarms),
            assessments=f(self.assessments),
            certificates=f(self.certificates),
            assignments=f(self.assignments),
            deadlines=f(self.deadlines),
            calibrations=f(self.calibrations),
            detectors=f(self.detectors),
            _sorted={},
            memo={},
        )

    def split(self, groups: Callable[[Dims], Sequence[Any]]) -> dict[Any, Facts]:
        """One pass over every row: the facts of each group `groups(dims)` names (a row can be in several)."""
        out: dict[Any, Facts] = {}
        for name in ROW_LISTS:
            for row in getattr(self, name):
                for g in groups(row.dims):
                    if g not in out:
                        out[g] = Facts(now=self.now)
                    getattr(out[g], name).append(row)
        return out

    def between(self, name: str, attr: str, since: Any, until: Any) -> list[Any]:
        """Rows of list `name` whose `attr` lies in [since, until), by bisection on a cached sort."""
        key = f"{name}.{attr}"
        if key not in self._sorted:
            rows = sorted(
                (r for r in getattr(self, name) if getattr(r, attr) is not None),
                key=lambda r: getattr(r, attr),
            )
            self._sorted[key] = ([getattr(r, attr) for r in rows], rows)
        keys, rows = self._sorted[key]
        return rows[bisect.bisect_left(keys, since) : bisect.bisect_left(keys, until)]


def _under(column: Any, scope: str) -> Any:
    return column.startswith(scope, autoescape=True)


async def load(
    db: AsyncSession, scope: str, since: datetime, until: datetime, now: datetime, events: bool = True
) -> Facts:
    """Load the rows under org path `scope` that any indicator over [since, until) can need.
    `events=False` leaves out permits and alarms (the dashboard reads those from the rollups)."""
    facts = Facts(now=now)
    start_day = since - timedelta(days=91)  # the 90-day practical window reaches back before `since`
    people = {
        pid: (path, left_at.date() if left_at else None)
        for pid, path, left_at in await db.execute(select(Person.id, Person.unit_path, Person.left_at))
    }

    def person_path(pid: uuid.UUID, fallback: str) -> str:
        return people.get(pid, (fallback, None))[0]

    if events:
        q = select(
            Permit.id,
            Permit.number,
            Permit.scope_path,
            Permit.work_type,
            Permit.applicant_id,
            Permit.guardian_id,
            Permit.operator_ids,
            Permit.submitted_at,
            Permit.approved_at,
            Permit.started_at,
            Permit.completed_at,
            Permit.ended_at,
            Permit.valid_until,
        ).where(
            Permit.deleted_at.is_(None),
            # A team's permits are filed under its workshop: load the ancestors' too, placed below.
            or_(_under(Permit.scope_path, scope), Permit.scope_path.in_(ancestors(scope))),
            # anything an event indicator counts: submitted, approved or started inside the window
            or_(
                Permit.submitted_at.between(since, until),
                Permit.approved_at.between(since, until),
                Permit.started_at.between(since, until),
            ),
        )
        for (
            pid,
            number,
            path,
            trade,
            applicant,
            guardian,
            ops,
            sub,
            appr,
            start,
            done,
            ended,
            valid,
        ) in await db.execute(q):
            # Permits are scoped to the workshop; the applying team leader's team places it one level down.
            team = person_path(applicant, path)
            place = team if team.startswith(path) else path
            if not place.startswith(scope):
                continue
            crew = tuple(
                dict.fromkeys([*(str(o) for o in ops or []), *([str(guardian)] if guardian else [])])
            )
            facts.permits.append(
                PermitRow(
                    pid,
                    number,
                    Dims(place, trade, crew),
                    sub,
                    appr,
                    start,
                    done or ended,
                    valid,
                )
            )

        reviews: dict[uuid.UUID, str] = {
            alarm_id: verdict
            for alarm_id, verdict in await db.execute(
                select(AlarmReview.alarm_id, AlarmReview.verdict)
                .join(Alarm)
                .where(_under(Alarm.scope_path, scope), Alarm.received_at >= since, Alarm.received_at < until)
            )
        }
        q2 = select(
            Alarm.id,
            Alarm.kind,
            Alarm.source,
            Alarm.scope_path,
            Alarm.detail,
            Alarm.subject_person_id,
            Alarm.received_at,
            Alarm.response_seconds,
            Alarm.area_id,
            Alarm.x,
            Alarm.y,
        ).where(
            Alarm.deleted_at.is_(None),
            _under(Alarm.scope_path, scope),
            Alarm.received_at >= since,
            Alarm.received_at < until,
        )
        for aid, kind, source, path, detail, subject, received, resp, area, x, y in await db.execute(q2):
            trade = detail.get("work_type") if isinstance(detail, dict) else None
            dims = Dims(path, trade if isinstance(trade, str) else None, (str(subject),) if subject else ())
            facts.alarms.append(
                AlarmRow(aid, kind, source, dims, received, resp, reviews.get(aid), area, x, y)
            )

    q3 = select(
        PracticalAssessment.id,
        PracticalAssessment.person_id,
        PracticalAssessment.scope_path,
        PracticalAssessment.item_key,
        PracticalAssessment.assessed_on,
        PracticalAssessment.passed,
    ).where(
        PracticalAssessment.deleted_at.is_(None),
        _under(PracticalAssessment.scope_path, scope),
        PracticalAssessment.assessed_on >= start_day.date(),
        PracticalAssessment.assessed_on < until.date() + timedelta(days=1),
    )
    for aid, person, path, item, on, passed in await db.execute(q3):
        facts.assessments.append(AssessmentRow(aid, Dims(path, item, (str(person),)), on, passed))

    q4 = select(
        Certificate.id,
        Certificate.person_id,
        Certificate.scope_path,
        Certificate.item_key,
        Certificate.issued_on,
        Certificate.deadline_on,
        Certificate.revoked_at,
    ).where(Certificate.deleted_at.is_(None), _under(Certificate.scope_path, scope))
    cert_dims: dict[uuid.UUID, Dims] = {}
    for cid, person, path, item, issued, deadline, revoked in await db.execute(q4):
        dims = cert_dims[cid] = Dims(path, item, (str(person),))
        facts.certificates.append(CertRow(cid, dims, issued, deadline, revoked.date() if revoked else None))

    q5 = select(
        Assignment.id,
        Assignment.person_id,
        Assignment.scope_path,
        Assignment.item_key,
        Assignment.assigned_on,
    ).where(Assignment.deleted_at.is_(None), _under(Assignment.scope_path, scope))
    for aid, person, path, item, on in await db.execute(q5):
        left = people.get(person, (path, None))[1]
        facts.assignments.append(AssignmentRow(aid, Dims(path, item, (str(person),)), on, left))

    q6 = select(CertificateEvent.certificate_id, CertificateEvent.kind, CertificateEvent.on_date).where(
        CertificateEvent.kind.in_(REVIEW_EVENTS),
        CertificateEvent.on_date >= start_day.date(),
        CertificateEvent.on_date < until.date() + timedelta(days=1),
    )
    for cid, kind, on in await db.execute(q6):
        if cid in cert_dims:
            at = datetime.combine(on, datetime.min.time(), tzinfo=since.tzinfo)
            facts.deadlines.append(DeadlineRow(cid, cert_dims[cid], at, kind))
    q7 = select(Freeze.certificate_id, Freeze.reason, Freeze.frozen_at).where(
        Freeze.deleted_at.is_(None),
        Freeze.certificate_id.is_not(None),
        Freeze.reason.in_(DEADLINE_FREEZES),
        Freeze.frozen_at >= start_day,
        Freeze.frozen_at < until,
    )
    for fcid, reason, frozen in await db.execute(q7):
        if fcid is not None and fcid in cert_dims:
            facts.deadlines.append(DeadlineRow(fcid, cert_dims[fcid], frozen, reason))

    detectors = {
        did: DetectorRow(did, code, Dims(path, None, ()))
        for did, code, path in await db.execute(
            select(GasDetector.id, GasDetector.code, GasDetector.scope_path).where(
                GasDetector.deleted_at.is_(None), _under(GasDetector.scope_path, scope)
            )
        )
    }
    facts.detectors = list(detectors.values())
    q8 = select(
        DetectorCalibration.id,
        DetectorCalibration.detector_id,
        DetectorCalibration.calibrated_at,
        DetectorCalibration.deviation_percent,
    ).where(
        DetectorCalibration.detector_id.in_(list(detectors)),
        DetectorCalibration.calibrated_at < until,
    )
    for cid, did, at, dev in await db.execute(q8):
        d = detectors[did]
        facts.calibrations.append(CalibrationRow(cid, did, d.code, d.dims, at, dev))
    return facts
