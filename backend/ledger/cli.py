"""`tezuo import workers LEDGER.xlsx` and `tezuo export workers OUT.xlsx`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    imp = sub.add_parser("import", help="import data (the Excel ledger of special-operation workers)")
    what = imp.add_subparsers(dest="import_what", required=True)
    workers = what.add_parser("workers", help="import a 特种作业人员台账 .xlsx")
    workers.add_argument("ledger", type=Path)
    workers.add_argument("--unit", help="org unit code for rows without a 班组/车间 column value")
    workers.add_argument("--strict", action="store_true", help="write nothing if any row has an error")
    workers.add_argument("--report", type=Path, help="write the full report (JSON) here")
    workers.add_argument("--quiet", action="store_true", help="no progress bar")
    workers.set_defaults(func=run_import_cmd)

    exp = sub.add_parser("export", help="export data")
    ewhat = exp.add_subparsers(dest="export_what", required=True)
    ew = ewhat.add_parser("workers", help="export the ledger of certificates to .xlsx (full ID numbers)")
    ew.add_argument("out", type=Path)
    ew.add_argument("--masked", action="store_true", help="mask ID and certificate numbers")
    ew.set_defaults(func=run_export_cmd)


class Bar:
    """A text progress bar on stderr: [#####-----]  52%  read 130,000/250,000 rows."""

    def __init__(self, quiet: bool = False, width: int = 30):
        self.quiet, self.width, self.last = quiet, width, 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.quiet or (now - self.last < 0.2 and done < total):
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(self.width * share)
        label = {"read": "读取校验 read", "write": "写入 write"}.get(phase, phase)
        print(
            f"\r[{'#' * filled}{'-' * (self.width - filled)}] {share:4.0%}  {label} {done:,}/{total:,}",
            end="\n" if done >= total else "",
            file=sys.stderr,
            flush=True,
        )


def run_import_cmd(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_import(args, settings))


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from backend.catalog.service import catalog_for
    from backend.core.clock import utcnow
    from backend.core.errors import DomainError
    from backend.db.engine import make_engine, make_sessionmaker
    from backend.ledger.service import run_import
    from backend.workers.numbers_part import ciphers_for

    if not args.ledger.is_file():
        print(f"错误 error: {args.ledger} not found", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    started = time.perf_counter()
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            with args.ledger.open("rb") as source:
                result = await run_import(
                    db,
                    catalog_for(settings),
                    ciphers_for(settings.secret_key),
                    source,
                    now=utcnow(),
                    default_unit=args.unit,
                    strict=args.strict,
                    import_id=uuid.uuid4(),
                    progress=Bar(args.quiet),
                )
            if result.status == "rejected":
                await db.rollback()
    except DomainError as exc:
        print(f"错误 error [{exc.code}]: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    seconds = time.perf_counter() - started
    print_report(result.status, result.summary, result.report, seconds)
    if args.report:
        args.report.write_text(
            json.dumps(
                {"status": result.status, "summary": result.summary, **result.report},
                ensure_ascii=False,
                indent=1,
            )
        )
    return 0 if result.status == "done" and not result.summary["rows_with_errors"] else 1


SUMMARY_KEYS = (
    "rows_valid", "rows_with_errors", "people", "people_created", "people_updated", "contractors_created",
    "certificates_created", "certificates_updated", "certificates_unchanged", "merges",
    "duplicate_certificates", "timers_armed",
)  # fmt: skip


def print_report(status: str, summary: dict[str, Any], report: dict[str, Any], seconds: float) -> None:
    verdict = {
        "done": "已导入 imported",
        "rejected": "已拒绝（--strict，未写入任何数据） rejected, nothing written",
    }
    print(f"{verdict.get(status, status)}: {summary['rows']:,} rows in {seconds:.1f} s")
    for key in SUMMARY_KEYS:
        if key in summary:
            print(f"  {key:24} {summary[key]:>10,}")
    if summary.get("errors_by_code"):
        print(
            "  errors by code: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["errors_by_code"].items()))
        )
    for e in report.get("errors", [])[:20]:
        print(f"  row {e['row']:>7}  {e['code']:22} {e['message']}")
    if len(report.get("errors", [])) > 20:
        print(f"  … {len(report['errors']) - 20} more (use --report FILE)")
    for m in report.get("merges", [])[:10]:
        print(
            f"  merged {m['id_number_masked']} rows {m['rows']}: {' / '.join(m['names'])} → {m['kept_name']}"
        )


def run_export_cmd(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_export(args, settings))


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from backend.catalog.service import catalog_for, local_date
    from backend.core.clock import utcnow
    from backend.db.engine import make_engine, make_sessionmaker
    from backend.ledger.export_part import export_xlsx
    from backend.org.models import OrgUnit
    from backend.workers.numbers_part import ciphers_for
    from backend.workers.views_part import LedgerFilter

    engine = make_engine(settings.database_url)
    catalog = catalog_for(settings)
    try:
        async with make_sessionmaker(engine)() as db:
            enterprise = await db.scalar(select(OrgUnit.name).where(OrgUnit.kind == "enterprise"))
            data, count = await export_xlsx(
                db,
                catalog,
                ciphers_for(settings.secret_key),
                LedgerFilter(employment=None),
                None,
                local_date(utcnow(), catalog.policy),
                lambda person: not args.masked,
                enterprise or "",
            )
    finally:
        await engine.dispose()
    args.out.write_bytes(data)
    print(f"exported {count:,} certificates to {args.out}")
    return 0
