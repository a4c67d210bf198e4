"""Ledger import and export.

`run_import` reads the workbook, checks every row, merges rows of the same person (by ID
number, whatever the name or phone says), and writes everything valid in one transaction —
or, with `strict`, nothing at all when any row is wrong. The report lists every bad row with
a stable code, every merge and every duplicate certificate row.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Catalog
from backend.catalog.service import local_date
from backend.core.errors import Invalid
from backend.ledger.check_part import Checked, Directory, RowChecker, RowError
from backend.ledger.reader import Ledger
from backend.ledger.write_part import PersonPlan, write
from backend.org.models import OrgUnit
from backend.people import idnumber
from backend.people.models import Contractor
from backend.workers.numbers_part import Ciphers

REPORT_LIMIT = 5000  # rows listed in the stored report; the counts are always complete
Progress = Callable[[str, int, int], None]


def _silent(phase: str, done: int, total: int) -> None:
    return None


@dataclass
class ImportResult:
    status: str  # done | rejected
    summary: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.report.get("errors", []))


async def load_directory(db: AsyncSession, default_unit: str | None) -> tuple[Directory, uuid.UUID]:
    """Units and contractors the rows may name, and the enterprise the import belongs to."""
    units = (await db.scalars(select(OrgUnit).where(OrgUnit.deleted_at.is_(None)))).all()
    enterprise = next((u for u in units if u.kind == "enterprise"), None)
    if enterprise is None:
        raise Invalid("还没有企业组织，先建立组织架构（tezuo demo 或 tezuo users）", code="no_enterprise")
    by_name: dict[str, list[tuple[uuid.UUID, str]]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append((u.id, u.path))
    default = None
    if default_unit:
        match = next((u for u in units if u.code.upper() == default_unit.upper()), None)
        if match is None:
            raise Invalid(f"默认单位 {default_unit} 不存在", code="unit_unknown")
        default = (match.id, match.path)
    firms = (await db.scalars(select(Contractor).where(Contractor.deleted_at.is_(None)))).all()
    directory = Directory(
        units_by_code={u.code.upper(): (u.id, u.path) for u in units},
        units_by_name=by_name,
        contractors={f.name: f.id for f in firms},
        contractor_codes={f.credit_code: f.id for f in firms},
        own_names={u.name for u in units},
        default_unit=default,
    )
    return directory, enterprise.id


def merge(
    checked: list[Checked], kept_names: dict[str, str] | None = None
) -> tuple[list[PersonPlan], dict[str, Any]]:
    """Rows of one person (same ID number) become one plan; certificates of one item keep the
    row with the latest validity. Returns the plans and the merge/duplicate report."""
    groups: dict[str, list[Checked]] = {}
    for c in checked:
        groups.setdefault(c.person.id_number, []).append(c)
    plans, merges, duplicates = [], [], []
    for number, rows in groups.items():
        names = list(dict.fromkeys(r.person.name for r in rows))
        phones = list(dict.fromkeys(r.person.phone for r in rows if r.person.phone))
        counts = Counter(r.person.name for r in rows)
        kept = max(names, key=lambda n: (counts[n], -names.index(n)))
        base = next(r.person for r in rows if r.person.name == kept)
        if len(names) > 1 or len(phones) > 1:
            merges.append(
                {
                    "_id": number,
                    "id_number_masked": idnumber.mask(number),
                    "rows": [r.person.row for r in rows],
                    "names": names,
                    "phones": phones,
                    "kept_name": kept,
                }
            )
        certs: dict[str, Any] = {}
        for r in rows:
            if r.cert is None:
                continue
            other = certs.get(r.cert.item.key)
            if other is not None:
                keep, drop = (r.cert, other) if r.cert.valid_until > other.valid_until else (other, r.cert)
                duplicates.append(
                    {
                        "id_number_masked": idnumber.mask(number),
                        "item_key": r.cert.item.key,
                        "rows": sorted([keep.row, drop.row]),
                        "kept_row": keep.row,
                    }
                )
                certs[r.cert.item.key] = keep
            else:
                certs[r.cert.item.key] = r.cert
        person = base if not phones else _with_phone(base, phones[-1])
        plans.append(PersonPlan(number, person, list(certs.values())))
    return plans, {"merges": merges, "duplicates": duplicates}


def _with_phone(p: Any, phone: str) -> Any:
    from dataclasses import replace

    return replace(p, phone=p.phone or phone)


def check_workbook(
    source: Path | IO[bytes],
    catalog: Catalog,
    directory: Directory,
    today: date,
    progress: Progress = _silent,
) -> tuple[list[Checked], list[RowError], list[RowError], int]:
    """Read and check every row: (valid rows, errors, warnings, rows read)."""
    ledger = Ledger(source)
    checker = RowChecker(catalog, directory, today)
    checked: list[Checked] = []
    errors: list[RowError] = []
    warnings: list[RowError] = []
    rows = 0
    try:
        for rows, (number, cells) in enumerate(ledger.rows(), start=1):
            result = checker.check(number, cells)
            if isinstance(result, list):
                errors += result
            else:
                checked.append(result)
                warnings += result.warnings
            if rows % 1000 == 0:
                progress("read", rows, max(ledger.total, rows))
    finally:
        ledger.close()
    progress("read", rows, rows)
    return checked, errors, warnings, rows


async def run_import(
    db: AsyncSession,
    catalog: Catalog,
    ciphers: Ciphers,
    source: Path | IO[bytes],
    *,
    now: datetime,
    default_unit: str | None = None,
    strict: bool = False,
    import_id: uuid.UUID | None = None,
    progress: Progress = _silent,
    allowed_paths: list[str] | None = None,
) -> ImportResult:
    """Check and write a ledger in the caller's transaction (the caller commits or rolls back)."""
    import_id = import_id or uuid.uuid4()
    today = local_date(now, catalog.policy)
    directory, enterprise_id = await load_directory(db, default_unit)
    if allowed_paths is not None:
        directory.allowed_paths = allowed_paths
    # Reading and checking is CPU work without the database: off the event loop.
    checked, errors, warnings, rows = await asyncio.to_thread(
        check_workbook, source, catalog, directory, today, progress
    )
    plans, merged = merge(checked)
    bad_rows = len({e.row for e in errors})
    summary: dict[str, Any] = {
        "rows": rows,
        "rows_valid": rows - bad_rows,
        "rows_with_errors": bad_rows,
        "people": len(plans),
        "merges": len(merged["merges"]),
        "duplicate_certificates": len(merged["duplicates"]),
        "errors_by_code": dict(Counter(e.code for e in errors)),
        "strict": strict,
    }
    report = {
        "errors": [e.__dict__ for e in errors[:REPORT_LIMIT]],
        "warnings": [w.__dict__ for w in warnings[:REPORT_LIMIT]],
        "merges": merged["merges"],
        "duplicates": merged["duplicates"][:REPORT_LIMIT],
    }
    if strict and errors:
        return ImportResult("rejected", summary, _public(report))
    total_write = sum(max(1, len(p.certs)) for p in plans)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress("write", done, total_write)

    written = await write(
        db,
        catalog,
        ciphers,
        plans,
        enterprise_id=enterprise_id,
        import_id=import_id,
        now=now,
        today=today,
        tick=tick,
    )
    _merge_with_database(report["merges"], plans, written.kept_names)
    summary["merges"] = len(report["merges"])
    summary.update({k: v for k, v in written.__dict__.items() if k != "kept_names"})
    return ImportResult("done", summary, _public(report))


def _merge_with_database(merges: list[dict[str, Any]], plans: list[PersonPlan], kept: dict[str, str]) -> None:
    """A person already registered keeps their registered name; say so where the rows differ."""
    listed = {m["_id"]: m for m in merges}
    for plan in plans:
        name = kept.get(plan.id_number)
        if name is None:
            continue
        entry = listed.get(plan.id_number)
        if entry is not None:
            entry["kept_name"] = name
            if name not in entry["names"]:
                entry["names"].insert(0, name)
            entry["existing"] = True
        elif name != plan.person.name:
            merges.append(
                {
                    "_id": plan.id_number,
                    "id_number_masked": idnumber.mask(plan.id_number),
                    "rows": [plan.person.row],
                    "names": [name, plan.person.name],
                    "phones": [plan.person.phone] if plan.person.phone else [],
                    "kept_name": name,
                    "existing": True,
                }
            )


def _public(report: dict[str, Any]) -> dict[str, Any]:
    """The stored report: capped lists, and never a full ID number."""
    merges = [{k: v for k, v in m.items() if k != "_id"} for m in report["merges"][:REPORT_LIMIT]]
    return {**report, "merges": merges}
