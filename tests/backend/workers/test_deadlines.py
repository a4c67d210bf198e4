"""Deadlines and statuses from the dated rules, and the SQL scan agreeing with the Python rules."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from backend.catalog.service import load_catalog
from backend.workers.deadlines_part import lapse_reason, plan_deadlines, status_on

CATALOG = load_catalog(None)
POLICY = CATALOG.policy


def cert(family: str, issued: date, until: date, **kw: object) -> SimpleNamespace:
    d = plan_deadlines(
        CATALOG,
        family,
        issued,
        until,
        kw.get("reviewed"),  # type: ignore[arg-type]
        kw.get("failed"),  # type: ignore[arg-type]
        bool(kw.get("extended")),
    )
    return SimpleNamespace(
        family=family,
        issued_on=issued,
        valid_until=until,
        last_reviewed_on=kw.get("reviewed"),
        review_failed_on=kw.get("failed"),
        revoked_at=None,
        **d.__dict__,
    )


def test_mem_reviews_every_three_years_under_order_30() -> None:
    c = cert("mem", date(2020, 3, 1), date(2026, 3, 1))
    assert (c.review_due_on, c.deadline_on, c.deadline_kind) == (date(2023, 3, 1), date(2023, 3, 1), "review")
    assert c.window_opens_on == date(2023, 3, 1) - timedelta(days=60)  # 期满前60日内
    reviewed = cert("mem", date(2020, 3, 1), date(2026, 3, 1), reviewed=date(2023, 2, 10))
    assert (reviewed.deadline_on, reviewed.deadline_kind) == (date(2026, 3, 1), "renewal")
    extended = cert("mem", date(2020, 3, 1), date(2026, 3, 1), extended=True)  # ≥ 10 years in the trade
    assert extended.review_due_on is None and extended.deadline_kind == "renewal"


def test_reviews_falling_due_from_2026_06_01_are_no_longer_required() -> None:
    later = cert("mem", date(2023, 8, 1), date(2029, 8, 1))
    assert later.review_due_on is None and (later.deadline_on, later.deadline_kind) == (
        date(2029, 8, 1),
        "renewal",
    )
    earlier = cert("mem", date(2023, 5, 1), date(2029, 5, 1))
    assert earlier.review_due_on == date(2026, 5, 1)
    assert lapse_reason(earlier, date(2026, 6, 15)) == "review_overdue"
    assert status_on(earlier, date(2026, 6, 15), True, POLICY) == "expired"


def test_mohurd_extends_by_two_years_and_samr_reviews_at_expiry() -> None:
    m = cert("mohurd", date(2025, 1, 10), date(2027, 1, 10))
    assert (m.deadline_on, m.deadline_kind, m.review_due_on) == (
        date(2027, 1, 10),
        "extension",
        date(2027, 1, 10),
    )
    assert m.window_opens_on == date(2027, 1, 10) - timedelta(days=90)  # 期满前3个月内
    s = cert("samr", date(2024, 5, 1), date(2028, 5, 1))
    assert (s.deadline_kind, s.review_due_on) == ("review", date(2028, 5, 1))
    assert s.window_opens_on == date(2028, 5, 1) - timedelta(days=90)  # no window: the policy's 90 days


def test_status_walks_from_valid_to_shadow_and_a_failed_review_ends_validity() -> None:
    c = cert("samr", date(2024, 5, 1), date(2028, 5, 1))
    day = date(2028, 5, 1)
    assert status_on(c, day - timedelta(days=91), True, POLICY) == "valid"
    assert status_on(c, day - timedelta(days=90), True, POLICY) == "review_due"
    assert status_on(c, day, True, POLICY) == "review_due"  # the last valid day
    assert status_on(c, day + timedelta(days=1), True, POLICY) == "expired"
    assert status_on(c, day + timedelta(days=90), True, POLICY) == "expired"
    assert status_on(c, day + timedelta(days=91), True, POLICY) == "shadow"
    assert status_on(c, day + timedelta(days=91), False, POLICY) == "expired"  # not employed: no shadow
    failed = cert("samr", date(2024, 5, 1), date(2028, 5, 1), failed=date(2028, 4, 20))
    assert failed.deadline_on == date(2028, 4, 19)
    assert lapse_reason(failed, date(2028, 4, 20)) == "review_failed"
    assert lapse_reason(failed, date(2024, 4, 30)) == "not_yet_valid"
