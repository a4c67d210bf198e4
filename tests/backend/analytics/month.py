"""A generated month (November 2026) of permits, alarms, exams, certificates and calibrations
whose indicator values are worked out by hand in test_indicators.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms.models import Alarm
from backend.analytics.models import AlarmReview, DetectorCalibration
from backend.gas.models import GasDetector
from backend.org.models import Area, OrgUnit
from backend.people.models import Person
from backend.permits.models import Permit
from backend.workers.models import (
    Assignment,
    Certificate,
    CertificateEvent,
    Freeze,
    PracticalAssessment,
)
from tests.factories import Org, make_org, make_person

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
SQUARE = [[0, 0], [100, 0], [100, 100], [0, 100]]


@dataclass
class Month:
    org: Org
    people: dict[str, Person]
    detectors: dict[str, GasDetector]
    areas: dict[str, Area]


def at(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _area(org_site: OrgUnit, ws: OrgUnit, code: str) -> Area:
    return Area(
        site_id=org_site.id,
        workshop_id=ws.id,
        code=code,
        name=code,
        hazard_class="fire_class_a",
        plan_polygon=SQUARE,
        scope_path=ws.path,
    )


def _permit(
    n: str,
    area: Area,
    ws: OrgUnit,
    applicant: Person,
    crew: list[Person],
    work_type: str = "hot_work",
    **times: datetime | None,
) -> Permit:
    start = times["started_at"]
    assert start is not None
    return Permit(
        number=n,
        work_type=work_type,
        grade="2",
        status="closed",
        site_id=area.site_id,
        workshop_id=ws.id,
        area_id=area.id,
        scope_path=ws.path,
        applicant_id=applicant.id,
        operator_ids=[str(p.id) for p in crew],
        content="作业",
        planned_start=start,
        planned_end=start + timedelta(hours=4),
        valid_until=start + timedelta(hours=4),
        **times,
    )


def _cert(p: Person, item: str, issued: date, deadline: date, revoked: datetime | None = None) -> Certificate:
    return Certificate(
        person_id=p.id,
        scope_path=p.unit_path,
        family="mem",
        scheme="mem-2010",
        item_key=item,
        number_enc="x",
        number_index=uuid.uuid4().hex,
        number_masked="T***",
        issued_on=issued,
        valid_until=deadline,
        deadline_on=deadline,
        deadline_kind="review",
        window_opens_on=deadline - timedelta(days=60),
        revoked_at=revoked,
    )


async def make_month(db: AsyncSession, secret: bytes) -> Month:
    org = await make_org(db)
    people = {
        "boss": await make_person(
            db, secret, org.enterprise, "安全总监", [("safety_officer", org.enterprise)]
        ),
        "leader_a": await make_person(db, secret, org.team_a, "班长甲", [("team_leader", org.team_a)]),
        "leader_b": await make_person(db, secret, org.team_b, "班长乙", [("team_leader", org.team_b)]),
    }
    for name, team in [
        ("w1", org.team_a),
        ("w2", org.team_a),
        ("w3", org.team_a),
        ("w4", org.team_a),
        ("w5", org.team_b),
        ("w6", org.team_b),
        ("w7", org.team_b),
    ]:
        people[name] = await make_person(db, secret, team, name)
    people["w7"].employment, people["w7"].left_at = "left", at(5)
    p = people
    areas = {"A": _area(org.site_a, org.workshop_a, "AN-A"), "B": _area(org.site_b, org.workshop_b, "AN-B")}
    db.add_all(areas.values())
    await db.flush()

    # Permits: team A, 20 hot-work permits; approval takes 30 + 10·i minutes; #3 overruns by 1 h.
    for i in range(20):
        sub = at(1 + i)
        appr = sub + timedelta(minutes=30 + 10 * i)
        start = appr + timedelta(minutes=30)
        done = start + timedelta(hours=5 if i == 3 else 3)
        db.add(
            _permit(
                f"A-{i}",
                areas["A"],
                org.workshop_a,
                p["leader_a"],
                [p["w1"], p["w2"]],
                submitted_at=sub,
                approved_at=appr,
                started_at=start,
                completed_at=done,
            )
        )
    # Team B, 10 confined-space permits; approval 60 min; #0 started before approval; #5 never closed.
    for j in range(10):
        sub = at(1 + j, 9)
        appr = sub + timedelta(minutes=60)
        start = sub + timedelta(minutes=30) if j == 0 else appr + timedelta(minutes=10)
        end: datetime | None = None if j == 5 else start + timedelta(hours=2)
        db.add(
            _permit(
                f"B-{j}",
                areas["B"],
                org.workshop_b,
                p["leader_b"],
                [p["w5"]],
                work_type="confined_space",
                submitted_at=sub,
                approved_at=appr,
                started_at=start,
                completed_at=end,
            )
        )

    # Alarms on site A. Ten AI no-helmet alarms at 04:30, answered in 30…120 s; 8 reviewed (1 误报).
    def alarm(
        kind: str, source: str, when: datetime, resp: float | None, path: str, subject: Person | None = None
    ) -> Alarm:
        a = Alarm(
            source=source,
            kind=kind,
            tier=1 if kind in ("sos", "no_permit_work", "gas_over_limit") else 2,
            site_id=org.site_a.id,
            area_id=areas["A"].id,
            scope_path=path,
            raised_at=when,
            received_at=when,
            response_seconds=resp,
            subject_person_id=subject.id if subject else None,
            x=50,
            y=50,
            detail={"work_type": "hot_work"} if source == "edge" else {},
        )
        db.add(a)
        return a

    helmets = [
        alarm("no_helmet", "edge", at(2 + k, 4, 30), 30.0 + 10 * k, org.site_a.path) for k in range(10)
    ]
    no_permit = [alarm("no_permit_work", "edge", at(15 + k, 10), 50.0, org.workshop_a.path) for k in range(2)]
    alarm("sos", "sos", at(20, 14), 40.0, org.team_a.path, p["w1"])
    alarm("sos", "sos", at(21, 14), 100.0, org.team_a.path, p["w1"])
    alarm("gas_over_limit", "edge", at(22, 3), None, org.site_a.path)
    alarm("no_helmet", "edge", datetime(2026, 10, 30, tzinfo=UTC), 500.0, org.site_a.path)  # before the month
    await db.flush()
    verdicts = [(a, "false_positive" if k == 0 else "confirmed") for k, a in enumerate(helmets[:8])]
    verdicts += [(no_permit[0], "confirmed"), (no_permit[1], "false_positive")]
    for a, v in verdicts:
        db.add(AlarmReview(alarm_id=a.id, verdict=v, reviewer_id=p["boss"].id, reviewed_at=a.received_at))

    # Practical exams: 12 in team A (one failed), 8 in team B; one old failure outside 90 days.
    for k in range(20):
        who = p["w1"] if k < 12 else p["w5"]
        db.add(
            PracticalAssessment(
                person_id=who.id,
                scope_path=who.unit_path,
                item_key="hot_work" if k < 12 else "confined_space",
                assessed_on=date(2026, 10, 1) + timedelta(days=k * 3),
                passed=k != 4,
                assessor="考评员",
            )
        )
    db.add(
        PracticalAssessment(
            person_id=p["w2"].id,
            scope_path=p["w2"].unit_path,
            item_key="hot_work",
            assessed_on=date(2026, 8, 20),
            passed=False,
            assessor="考评员",
        )
    )

    # Certificates and the items each job needs, as of 2026-11-30.
    long_ago, far = date(2024, 1, 1), date(2028, 1, 1)
    certs = {
        "w1": _cert(p["w1"], "hot_work", long_ago, far),
        "w2": _cert(p["w2"], "hot_work", long_ago, date(2026, 11, 10)),  # lapsed 20 days: not a shadow
        "w3": _cert(p["w3"], "hot_work", long_ago, date(2026, 7, 1)),  # lapsed > 90 days: shadow
        "w5": _cert(p["w5"], "confined_space", long_ago, far),
        "w5e": _cert(p["w5"], "electrician", long_ago, far),
        "w6": _cert(p["w6"], "confined_space", long_ago, far, revoked=at(15)),  # revoked: shadow
    }
    db.add_all(certs.values())
    for name, item in [
        ("w1", "hot_work"),
        ("w2", "hot_work"),
        ("w3", "hot_work"),
        ("w4", "hot_work"),
        ("w5", "confined_space"),
        ("w5", "electrician"),
        ("w6", "confined_space"),
        ("w7", "hot_work"),
    ]:
        db.add(
            Assignment(
                person_id=p[name].id,
                scope_path=p[name].unit_path,
                item_key=item,
                assigned_on=date(2025, 1, 1),
            )
        )
    await db.flush()
    for key, kind, day in [("w1", "reviewed", 10), ("w5", "renewed", 12), ("w5e", "reviewed", 8)]:
        db.add(
            CertificateEvent(
                certificate_id=certs[key].id, kind=kind, on_date=date(2026, 11, day), created_at=at(day)
            )
        )
    for key, reason, day in [("w2", "expired", 11), ("w5e", "review_overdue", 3)]:
        c = certs[key]
        db.add(
            Freeze(
                person_id=c.person_id,
                scope_path=c.scope_path,
                certificate_id=c.id,
                item_key=c.item_key,
                reason=reason,
                frozen_at=at(day, 0, 5),
            )
        )

    # Detectors and their weekly calibrations (deviation %).
    detectors = {
        code: GasDetector(
            code=code, name=code, site_id=site.id, area_id=area.id, gas="methane", scope_path=ws.path
        )
        for code, site, area, ws in [
            ("D1", org.site_a, areas["A"], org.workshop_a),
            ("D2", org.site_a, areas["A"], org.workshop_a),
            ("D3", org.site_b, areas["B"], org.workshop_b),
        ]
    }
    db.add_all(detectors.values())
    await db.flush()
    for code, day, dev in [
        ("D1", 3, 1.0),
        ("D1", 10, -1.5),
        ("D1", 17, 0.5),
        ("D1", 24, 1.0),
        ("D2", 5, 3.0),
        ("D2", 12, -2.5),
        ("D3", 27, 0.0),
    ]:
        d = detectors[code]
        db.add(
            DetectorCalibration(
                detector_id=d.id,
                calibrated_at=at(day, 10),
                reference_gas="CH4 50%LEL",
                reference_value=50.0,
                reading=50.0 * (1 + dev / 100),
                unit="lel",
                deviation_percent=dev,
                technician="仪表工",
                scope_path=d.scope_path,
            )
        )
    await db.flush()
    return Month(org, people, detectors, areas)
