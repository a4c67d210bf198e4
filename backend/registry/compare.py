"""One certificate: our ledger against the registry's answer → an outcome code (models.OUTCOMES)."""

from __future__ import annotations

import unicodedata
from datetime import date

from backend.registry.adapter import Answer
from backend.registry.ledger_part import LedgerEntry

USABLE = ("valid", "review_due")


def same_name(a: str, b: str) -> bool:
    """Names compared after NFKC, without spaces and middle dots (少数民族 names: 阿依·买买提)."""

    def norm(s: str) -> str:
        return unicodedata.normalize("NFKC", s).replace(" ", "").replace("·", "").replace("•", "")

    return norm(a) == norm(b)


def compare(ours: LedgerEntry, theirs: Answer, today: date) -> str:
    """The most serious disagreement first; "match" when the registry confirms our ledger.

    A certificate our ledger already treats as lapsed, and the registry too, is consistent
    (the T-0 freeze has happened); only a registry renewal of it is news (stale ledger).
    """
    if not theirs.found:
        return "not_found"
    if theirs.status not in ("valid", "expired"):  # revoked, 暂扣 (suspended) …: not usable
        return "revoked"
    lapsed = theirs.status == "expired" or (theirs.valid_until is not None and theirs.valid_until < today)
    if lapsed:
        return "expired" if ours.status in USABLE else "match"
    if theirs.item_code != ours.item_code:
        return "wrong_item"
    if not same_name(theirs.holder_name, ours.holder_name):
        return "name_mismatch"
    if theirs.valid_until is not None and theirs.valid_until > ours.valid_until:
        return "renewed"
    last_review = max(theirs.review_dates, default=None)
    if last_review is not None and last_review > (ours.last_reviewed_on or ours.issued_on):
        return "renewed"
    if theirs.valid_until is not None and theirs.valid_until < ours.valid_until:
        return "dates_mismatch"
    return "match"
