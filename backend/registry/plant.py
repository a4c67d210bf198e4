"""The simulated registry's contents: our ledger as the registry would hold it, with planted
discrepancies (one certificate each) so a check has something real to find."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date, timedelta

import msgspec

from backend.catalog.models import Catalog
from backend.registry.adapter import Answer
from backend.registry.ledger_part import LedgerEntry
from backend.workers.deadlines_part import add_years

# code → what the registry says instead of what our ledger says
PLANTS = ("revoked", "wrong_item", "name_mismatch", "not_found", "expired", "renewed")
USABLE = ("valid", "review_due")


class Record(msgspec.Struct, kw_only=True):
    """One certificate in the registry, keyed by its number; `holder_id` is never served back."""

    holder_id: str
    answer: Answer


def record_of(entry: LedgerEntry, catalog: Catalog) -> Record:
    item = catalog.items.get(entry.item_key)
    return Record(
        holder_id=entry.id_number,
        answer=Answer(
            found=True,
            holder_name=entry.holder_name,
            item_code=entry.item_code,
            item_name=item.name if item else "",
            status="valid",
            valid_until=entry.valid_until,
            issued_on=entry.issued_on,
            issuing_authority=entry.issuing_authority or "应急管理部门",
            review_dates=[entry.last_reviewed_on] if entry.last_reviewed_on else [],
        ),
    )


def mirror(entries: Iterable[LedgerEntry], catalog: Catalog) -> dict[str, Record]:
    """The registry agreeing with our ledger on every certificate (status by its dates)."""
    out: dict[str, Record] = {}
    for e in entries:
        rec = record_of(e, catalog)
        if e.status not in USABLE:
            rec.answer = msgspec.structs.replace(rec.answer, status="expired")
        out[e.number] = rec
    return out


def _order(entries: Iterable[LedgerEntry], seed: str) -> list[LedgerEntry]:
    return sorted(entries, key=lambda e: hashlib.sha256(f"{seed}:{e.number}".encode()).digest())


def plant(
    records: dict[str, Record],
    entries: Iterable[LedgerEntry],
    catalog: Catalog,
    today: date,
    *,
    codes: Iterable[str] = PLANTS,
    seed: str = "tezuo",
) -> dict[uuid.UUID, str]:
    """Change the registry for one usable certificate per code (distinct holders); returns
    {certificate id: planted code} — what a correct check must find, and nothing else."""
    wanted = list(codes)
    planted: dict[uuid.UUID, str] = {}
    used_people: set[uuid.UUID] = set()
    candidates = [e for e in _order(entries, seed) if e.status in USABLE and e.number in records]
    for e in candidates:
        if not wanted:
            break
        if e.person_id in used_people:
            continue
        code = wanted.pop(0)
        used_people.add(e.person_id)
        planted[e.certificate_id] = code
        _apply(records, e, code, catalog, today)
    if wanted:
        raise ValueError(f"not enough usable certificates to plant {wanted}")
    return planted


def _apply(records: dict[str, Record], e: LedgerEntry, code: str, catalog: Catalog, today: date) -> None:
    rec = records[e.number]
    a = rec.answer
    if code == "not_found":
        del records[e.number]
    elif code == "revoked":
        rec.answer = msgspec.structs.replace(a, status="revoked")
    elif code == "expired":
        rec.answer = msgspec.structs.replace(a, status="expired", valid_until=today - timedelta(days=30))
    elif code == "wrong_item":
        other = next(i for i in catalog.items.values() if i.family == "mem" and i.code != e.item_code)
        rec.answer = msgspec.structs.replace(a, item_code=other.code, item_name=other.name)
    elif code == "name_mismatch":
        rec.answer = msgspec.structs.replace(
            a, holder_name=("欧阳" if e.holder_name[0] != "欧" else "司马") + e.holder_name[1:]
        )
    elif code == "renewed":  # renewed at the authority last week; our ledger still has the old dates
        issued = today - timedelta(days=7)
        until = max(add_years(issued, 6), e.valid_until + timedelta(days=365))
        rec.answer = msgspec.structs.replace(a, issued_on=issued, valid_until=until, review_dates=[])
    else:
        raise ValueError(f"unknown discrepancy {code}")
