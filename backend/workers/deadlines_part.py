"""When a certificate must next be reviewed or renewed, and what its status is on a given day.

Pure functions over dates and the catalogue: the same rules run in the service (one
certificate), the import (thousands) and, as one SQL CASE, in the daily scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from backend.catalog.models import Catalog, Policy
from backend.catalog.service import rule_at


@dataclass(frozen=True)
class Deadlines:
    review_due_on: date | None  # next review (复审 / 延期复核) if one is due before or at expiry
    deadline_on: date  # the last day the certificate is valid as things stand
    deadline_kind: str  # review | renewal | extension
    window_opens_on: date  # from this day the status is "review_due"


class CertDates(Protocol):
    """What the status rules read from a certificate (the ORM row or an import row)."""

    family: str
    issued_on: date
    valid_until: date
    last_reviewed_on: date | None
    review_failed_on: date | None
    review_extended: bool
    deadline_on: date
    deadline_kind: str
    review_due_on: date | None
    window_opens_on: date
    revoked_at: datetime | None


def add_years(day: date, years: int) -> date:
    """Same month and day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise ValueError(day)


def next_review(
    catalog: Catalog,
    family: str,
    issued_on: date,
    valid_until: date,
    last_reviewed_on: date | None,
    extended: bool,
) -> date | None:
    """The next periodic review inside the validity, or None.

    Reviews fall every N years from the issue date (30号令 Art. 21: N = 3, or 6 once the authority
    extends it). A review recorded less than half an interval before a due date (or after it)
    satisfies that date. The rule in force **on the due date** decides whether the review is
    still required: from 2026-06-01 (应急管理部令第19号) it is not.
    """
    first = rule_at(catalog, family, issued_on)
    years = first.extended_review_interval_years if extended else first.review_interval_years
    if years <= 0:
        return None
    half = timedelta(days=years * 365 // 2)
    k = 1
    while (due := add_years(issued_on, years * k)) < valid_until:
        if last_reviewed_on is None or last_reviewed_on <= due - half:
            return due if rule_at(catalog, family, due).review_interval_years > 0 else None
        k += 1
    return None


def plan_deadlines(
    catalog: Catalog,
    family: str,
    issued_on: date,
    valid_until: date,
    last_reviewed_on: date | None = None,
    review_failed_on: date | None = None,
    review_extended: bool = False,
) -> Deadlines:
    """The certificate's next deadline and when its application window opens."""
    review = next_review(catalog, family, issued_on, valid_until, last_reviewed_on, review_extended)
    if review is not None:
        deadline, kind = review, "review"
    else:
        deadline, kind = valid_until, rule_at(catalog, family, valid_until).expiry_action
        review = valid_until if kind in ("review", "extension") else None
    if review_failed_on is not None and review_failed_on <= deadline:
        # A failed review ends validity on that day (30号令 Art. 25 / TSG Z6001-2019: invalid).
        deadline = review_failed_on - timedelta(days=1)
    rule = rule_at(catalog, family, deadline)
    days = rule.apply_window_days or catalog.policy.review_due_default_days
    return Deadlines(review, deadline, kind, deadline - timedelta(days=days))


def status_on(cert: CertDates, day: date, holder_active: bool, policy: Policy) -> str:
    """valid | review_due | expired | shadow | revoked on `day`; the SQL CASE in scan_part agrees."""
    if cert.revoked_at is not None:
        return "revoked"
    if day > cert.deadline_on:
        if holder_active and (day - cert.deadline_on).days > policy.shadow_after_days:
            return "shadow"
        return "expired"
    if day >= cert.window_opens_on:
        return "review_due"
    return "valid"


def lapse_reason(cert: CertDates, day: date) -> str | None:
    """Why the certificate does not allow work on `day`, or None when it does."""
    if cert.revoked_at is not None:
        return "revoked"
    if day < cert.issued_on:
        return "not_yet_valid"
    if day <= cert.deadline_on:
        return None
    if cert.review_failed_on is not None and cert.deadline_on < cert.review_failed_on <= day:
        return "review_failed"
    if cert.deadline_kind == "review" and cert.review_due_on == cert.deadline_on < cert.valid_until:
        return "review_overdue"
    return "expired"


def apply_by(catalog: Catalog, cert: CertDates) -> date:
    """The last day to file the application (TSG Z6001-2019: one month before expiry)."""
    return cert.deadline_on - timedelta(days=rule_at(catalog, cert.family, cert.deadline_on).apply_by_days)
