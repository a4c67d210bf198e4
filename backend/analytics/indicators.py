"""The indicators: pure functions of the loaded facts over a window [since, until).

Each returns a `Result` — value (None = no data in the window), numerator/denominator where the
indicator is a ratio, and the records behind it with the ones that count against it flagged.
Definitions are spelled out in docs/analytics.md; keep the two in step.
"""

from __future__ import annotations

import bisect
import json
import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from backend.analytics.facts import DEADLINE_FREEZES, Facts

DATA = Path(__file__).resolve().parent / "data" / "indicators.json"


@dataclass(frozen=True, slots=True)
class Record:
    kind: str  # permit | alarm | assessment | certificate | assignment | calibration | detector
    id: Any  # the record's UUID; turned into text only for the records actually shown
    at: datetime | None
    label: str
    value: float | None
    flagged: bool


@dataclass
class Result:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    records: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Spec:
    key: str
    family: str
    unit: str
    op: str  # le | ge
    target: float
    label: dict[str, str]
    params: dict[str, Any]

    def passes(self, value: float) -> bool:
        return value <= self.target if self.op == "le" else value >= self.target


@cache
def specs(path: str | None = None) -> dict[str, Spec]:
    """The thresholds file (data/indicators.json, or TEZUO_ANALYTICS_INDICATORS)."""
    raw = json.loads(Path(path or os.environ.get("TEZUO_ANALYTICS_INDICATORS") or DATA).read_text("utf-8"))
    out = {}
    for key, v in raw.items():
        if key.startswith("_"):
            continue
        params = {k: x for k, x in v.items() if k not in ("family", "unit", "op", "target", "label")}
        out[key] = Spec(key, v["family"], v["unit"], v["op"], float(v["target"]), v["label"], params)
    return out


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


def _end(facts: Facts, until: datetime) -> datetime:
    """State-based indicators are read at the window's end, or now if the window is still open."""
    return min(until, facts.now)


def _last_day(facts: Facts, until: datetime) -> date:
    """The last calendar day (UTC) inside the window: `until` itself is excluded."""
    return (_end(facts, until) - timedelta(microseconds=1)).date()


Compute = Callable[[Facts, datetime, datetime, Spec], Result]


def practical_pass_rate(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    end = _last_day(f, until)
    first = end - timedelta(days=int(spec.params.get("window_days", 90)) - 1)
    rows = f.between("assessments", "on", first, end + timedelta(days=1))
    recs = (
        []
        if not f.want_records
        else [
            Record("assessment", a.id, None, a.dims.trade or "", 1.0 if a.passed else 0.0, not a.passed)
            for a in rows
        ]
    )
    passed = sum(1 for a in rows if a.passed)
    return Result(_pct(passed, len(rows)), passed, len(rows), recs)


def permit_overtime_rate(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    end = _end(f, until)
    rows = f.between("permits", "started_at", since, until)
    recs = []
    for p in rows:
        over = (p.finished_at or end) > p.valid_until
        recs.append(Record("permit", p.id, p.started_at, p.number, None, over))
    late = sum(1 for r in recs if r.flagged)
    return Result(_pct(late, len(rows)), late, len(rows), recs)


def approval_median_minutes(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    rows = [p for p in f.between("permits", "approved_at", since, until) if p.submitted_at]
    recs = []
    for p in rows:
        minutes = round((p.approved_at - p.submitted_at).total_seconds() / 60, 1)
        recs.append(Record("permit", p.id, p.approved_at, p.number, minutes, minutes > spec.target))
    values = [r.value for r in recs if r.value is not None]
    return Result(round(statistics.median(values), 1) if values else None, None, len(values), recs)


def unapproved_starts(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    rows = f.between("permits", "started_at", since, until)
    if not rows:
        return Result(None, 0, 0)
    bad = [p for p in rows if p.approved_at is None or p.started_at < p.approved_at]
    recs = [Record("permit", p.id, p.started_at, p.number, None, True) for p in bad]
    return Result(float(len(bad)), len(bad), len(rows), recs)


def _response(f: Facts, since: datetime, until: datetime, keep: Callable[[Any], bool], spec: Spec) -> Result:
    rows = [a for a in f.between("alarms", "received_at", since, until) if keep(a)]
    recs = [
        Record(
            "alarm",
            a.id,
            a.received_at,
            a.kind,
            a.response_seconds,
            a.response_seconds is None or a.response_seconds > spec.target,
        )
        for a in rows
    ]
    answered = [a.response_seconds for a in rows if a.response_seconds is not None]
    value = round(statistics.fmean(answered), 1) if answered else None
    return Result(value, len(answered), len(rows), recs)


def alarm_response_seconds(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    return _response(f, since, until, lambda a: True, spec)


def sos_response_seconds(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    return _response(f, since, until, lambda a: a.kind == "sos", spec)


def ai_false_positive_rate(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    rows = [a for a in f.between("alarms", "received_at", since, until) if a.source == "edge" and a.verdict]
    recs = [Record("alarm", a.id, a.received_at, a.kind, None, a.verdict == "false_positive") for a in rows]
    false = sum(1 for r in recs if r.flagged)
    return Result(_pct(false, len(rows)), false, len(rows), recs)


def unpermitted_work_alarms(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    kinds = set(spec.params.get("kinds", ()))
    rows = [
        a
        for a in f.between("alarms", "received_at", since, until)
        if a.kind in kinds and a.verdict != "false_positive"
    ]
    recs = [Record("alarm", a.id, a.received_at, a.kind, None, True) for a in rows]
    return Result(float(len(rows)), len(rows), None, recs)


def _covered(f: Facts, day: date) -> list[tuple[Any, bool, Any]]:
    """Each assignment of a still-employed worker on `day`: (assignment, covered, latest certificate)."""
    key = f"covered:{day.isoformat()}"
    if key not in f.memo:
        f.memo[key] = _covering(f, day)
    result: list[tuple[Any, bool, Any]] = f.memo[key]
    return result


def _covering(f: Facts, day: date) -> list[tuple[Any, bool, Any]]:
    if "certs_by_key" not in f.memo:
        index: dict[tuple[str, str | None], list[Any]] = {}
        for c in f.certificates:
            index.setdefault((c.dims.people[0], c.dims.trade), []).append(c)
        f.memo["certs_by_key"] = index
    by_key = f.memo["certs_by_key"]
    out = []
    for a in f.assignments:
        if a.assigned_on > day or (a.left_on is not None and a.left_on <= day):
            continue
        certs = [c for c in by_key.get((a.dims.people[0], a.dims.trade), ()) if c.issued_on <= day]
        usable = [c for c in certs if c.usable_on(day)]
        latest = max(certs, key=lambda c: c.deadline_on, default=None)
        out.append((a, bool(usable), usable[0] if usable else latest))
    return out


def certificate_compliance_rate(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    rows = _covered(f, _last_day(f, until))
    recs = (
        []
        if not f.want_records
        else [Record("assignment", a.id, None, a.dims.trade or "", None, not ok) for a, ok, _ in rows]
    )
    ok = sum(1 for _, good, _ in rows if good)
    return Result(_pct(ok, len(rows)), ok, len(rows), recs)


def shadow_operators(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    """影子操作工: an employed worker whose job needs an item they hold no certificate for (never
    held, or revoked), or whose certificate lapsed more than `lapsed_days` ago. Once per person."""
    day = _last_day(f, until)
    rows = _covered(f, day)
    if not rows:
        return Result(None, 0, 0)
    limit = day - timedelta(days=int(spec.params.get("lapsed_days", 90)))
    shadows: dict[Any, Record] = {}
    for a, ok, cert in rows:
        # Lapsed within `lapsed_days`: non-compliant, in renewal; never held or revoked: shadow.
        if ok or (cert is not None and cert.revoked_on is None and cert.deadline_on >= limit):
            continue
        person = a.dims.people[0]
        shadows.setdefault(person, Record("assignment", a.id, None, a.dims.trade or "", None, True))
    return Result(float(len(shadows)), len(shadows), None, list(shadows.values()))


def review_timeliness_rate(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    """A certificate whose deadline was met in the window (reviewed/renewed) with no T-0 freeze
    before it is on time; a T-0 freeze in the window (deadline missed) is late. Per certificate."""
    rows = f.between("deadlines", "at", since, until)
    late = {d.certificate_id: d for d in rows if d.kind in DEADLINE_FREEZES}
    done = {
        d.certificate_id: d for d in rows if d.kind not in DEADLINE_FREEZES and d.certificate_id not in late
    }
    recs = [Record("certificate", c, d.at, d.kind, None, True) for c, d in late.items()]
    recs += [Record("certificate", c, d.at, d.kind, None, False) for c, d in done.items()]
    return Result(_pct(len(done), len(done) + len(late)), len(done), len(done) + len(late), recs)


def calibration_deviation(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    tol = float(spec.params.get("tolerance_percent", 2))
    rows = f.between("calibrations", "at", since, until)
    recs = [
        Record(
            "calibration",
            c.id,
            c.at,
            c.detector_code,
            c.deviation_percent,
            abs(c.deviation_percent) > tol,
        )
        for c in rows
    ]
    devs = [abs(c.deviation_percent) for c in rows]
    return Result(round(statistics.fmean(devs), 2) if devs else None, None, len(devs), recs)


def detectors_calibrated_rate(f: Facts, since: datetime, until: datetime, spec: Spec) -> Result:
    end = _end(f, until)
    oldest = end - timedelta(days=float(spec.params.get("max_age_days", 7)))
    tol = float(specs()["calibration_deviation"].params.get("tolerance_percent", 2))
    if "cals_by_detector" not in f.memo:
        index: dict[Any, tuple[list[datetime], list[Any]]] = {}
        for cal in sorted(f.calibrations, key=lambda c: c.at):
            ats, cals = index.setdefault(cal.detector_id, ([], []))
            ats.append(cal.at)
            cals.append(cal)
        f.memo["cals_by_detector"] = index
    recs = []
    for d in f.detectors:
        ats, cals = f.memo["cals_by_detector"].get(d.id, ([], []))
        i = bisect.bisect_left(ats, end)
        c = cals[i - 1] if i else None
        good = c is not None and c.at >= oldest and abs(c.deviation_percent) <= tol
        recs.append(
            Record(
                "detector",
                d.id,
                c.at if c else None,
                d.code,
                c.deviation_percent if c else None,
                not good,
            )
        )
    ok = sum(1 for r in recs if not r.flagged)
    return Result(_pct(ok, len(recs)), ok, len(recs), recs)


COMPUTE: dict[str, Compute] = {
    "practical_pass_rate": practical_pass_rate,
    "certificate_compliance_rate": certificate_compliance_rate,
    "review_timeliness_rate": review_timeliness_rate,
    "shadow_operators": shadow_operators,
    "permit_overtime_rate": permit_overtime_rate,
    "approval_median_minutes": approval_median_minutes,
    "unapproved_starts": unapproved_starts,
    "calibration_deviation": calibration_deviation,
    "detectors_calibrated_rate": detectors_calibrated_rate,
    "ai_false_positive_rate": ai_false_positive_rate,
    "unpermitted_work_alarms": unpermitted_work_alarms,
    "alarm_response_seconds": alarm_response_seconds,
    "sos_response_seconds": sos_response_seconds,
}
