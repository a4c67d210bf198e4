"""`tezuo bench qualifications`: import a generated ledger and time the daily scan over it.

For each database (SQLite in a temporary file; PostgreSQL in a fresh database on the server of
--pg-url): migrate, build a small org (1 site, 4 workshops, 16 teams, 3 contractors), import
the generated ledger with the progress bar, then time the daily status + warning scan twice
(the first run of a fresh installation looks at every lapsed certificate; the steady state
only at the deadlines entering the horizon) and the shadow-operator list.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from backend.catalog.service import load_catalog, local_date
from backend.config import Settings
from backend.db import migrate
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.ledger.cli import Bar
from backend.ledger.generate import ledger_rows, write_ledger
from backend.ledger.service import run_import
from backend.org.service import create_unit
from backend.people.models import Contractor
from backend.workers.numbers_part import ciphers_for
from backend.workers.scan_part import daily_scan, shadow_operators

CONTRACTORS = (
    ("江苏安联石化检修安装有限公司", "91320116MA1XQ0KX4F"),
    ("南京宏达防腐保温工程有限公司", "91320111MA1XQ0KY22"),
    ("南京众诚储罐清洗服务有限公司", "91320113MA1XQ0KW0N"),
)
COMPANY = "特作基准化工有限公司"


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """The bench registry's entry (backend/bench.py): own options in `args.options`."""
    quick = bool(getattr(args, "quick", False))
    parser = argparse.ArgumentParser(prog="tezuo bench qualifications")
    parser.add_argument("--workers", type=int, default=2_000 if quick else 100_000)
    parser.add_argument("--certificates", type=int, default=5_000 if quick else 250_000)
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TEZUO_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server; the bench creates and drops its own database there",
    )
    parser.add_argument("--ledger", type=Path, help="reuse this generated ledger instead of writing one")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return await _main(parser.parse_args(list(getattr(args, "options", []))), settings)


async def _main(args: argparse.Namespace, settings: Settings) -> int:
    now = datetime.now(UTC)
    catalog = load_catalog(None)
    today = local_date(now, catalog.policy)
    figures: dict[str, Any] = {
        "bench": "qualifications",
        "date": today.isoformat(),
        "workers": args.workers,
        "certificates": args.certificates,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    with tempfile.TemporaryDirectory(prefix="tezuo-bench-") as tmp:
        ledger = args.ledger
        if ledger is None:
            ledger = Path(tmp) / "ledger.xlsx"
            started = time.perf_counter()
            rows = ledger_rows(
                catalog, args.workers, args.certificates, TEAMS, [n for n, _ in CONTRACTORS], COMPANY, today
            )
            count = write_ledger(ledger, rows)
            figures["generate_s"] = round(time.perf_counter() - started, 1)
            figures["ledger_rows"] = count
        figures["ledger_mib"] = round(ledger.stat().st_size / 2**20, 1)
        for name in [d.strip() for d in args.db.split(",") if d.strip()]:
            url, drop = await _database(name, args.pg_url, Path(tmp))
            try:
                figures[name] = await _one(url, ledger, settings, now, args.quiet)
            finally:
                await drop()
    _table(figures)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


TEAMS = [f"BM-W{w}-T{t}" for w in range(1, 5) for t in range(1, 5)]


async def _database(kind: str, pg_url: str, tmp: Path) -> tuple[str, Any]:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"

        async def nothing() -> None:
            return None

        await asyncio.to_thread(migrate.upgrade, url)
        return url, nothing
    if kind != "postgresql":
        raise SystemExit(f"unknown database {kind}")
    import asyncpg

    base, _, _ = pg_url.rpartition("/")
    dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"tezuo_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    await asyncio.to_thread(migrate.upgrade, url)

    async def drop() -> None:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return url, drop


async def _org(maker: Any) -> None:
    async with transaction(maker) as db:
        ent = await create_unit(db, "enterprise", "BM", COMPANY, None)
        site = await create_unit(db, "site", "BM-S", "基准厂区", ent)
        for w in range(1, 5):
            ws = await create_unit(db, "workshop", f"BM-W{w}", f"基准车间{w}", site)
            for t in range(1, 5):
                await create_unit(db, "team", f"BM-W{w}-T{t}", f"基准车间{w}班组{t}", ws)
        for name, code in CONTRACTORS:
            db.add(Contractor(name=name, credit_code=code, enterprise_id=ent.id))


async def _one(url: str, ledger: Path, settings: Settings, now: datetime, quiet: bool) -> dict[str, Any]:
    engine = make_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    maker = make_sessionmaker(engine)
    catalog = load_catalog(None)
    out: dict[str, Any] = {}
    try:
        await _org(maker)
        started = time.perf_counter()
        async with transaction(maker) as db:
            with ledger.open("rb") as source:
                result = await run_import(
                    db, catalog, ciphers_for(settings.secret_key), source, now=now, progress=Bar(quiet)
                )
        seconds = time.perf_counter() - started
        out.update(
            import_s=round(seconds, 1),
            import_rows_per_s=round(result.summary["rows"] / seconds),
            rows=result.summary["rows"],
            rows_with_errors=result.summary["rows_with_errors"],
            people_created=result.summary.get("people_created", 0),
            certificates_created=result.summary.get("certificates_created", 0),
            timers_armed_by_import=result.summary.get("timers_armed", 0),
        )
        for label, at, since in (
            ("scan_first", now, None),
            ("scan_daily", now + timedelta(days=1), now.date()),
        ):
            started = time.perf_counter()
            async with transaction(maker) as db:
                scan = await daily_scan(db, catalog, at, since=since)
            out[f"{label}_s"] = round(time.perf_counter() - started, 2)
            out[f"{label}_status_changes"] = scan.status_changes
            out[f"{label}_timers_armed"] = scan.timers_armed
        out["by_status"] = scan.by_status
        started = time.perf_counter()
        async with maker() as db:
            shadows = await shadow_operators(db, catalog, None)
        out["shadow_list_s"] = round(time.perf_counter() - started, 2)
        out["shadow_operators"] = len(shadows)
    finally:
        await engine.dispose()
    return out


def _table(f: dict[str, Any]) -> None:
    print(f"\ntezuo bench qualifications — {f['date']}, {f['cpus']} CPUs, Python {f['python']}")
    if "generate_s" in f:
        print(f"generated ledger: {f['ledger_rows']:,} rows, {f['ledger_mib']} MiB in {f['generate_s']} s")
    rows = (
        ("import (read + check + write)", "import_s", "s"),
        ("import rate", "import_rows_per_s", "rows/s"),
        ("daily scan, first run", "scan_first_s", "s"),
        ("daily scan, next day", "scan_daily_s", "s"),
        ("shadow-operator list", "shadow_list_s", "s"),
        ("certificates created", "certificates_created", ""),
        ("timers armed (import + scans)", None, ""),
        ("shadow operators", "shadow_operators", ""),
    )
    dbs = [d for d in ("sqlite", "postgresql") if d in f]
    print(f"{'':32}" + "".join(f"{d:>16}" for d in dbs))
    for label, key, unit in rows:
        cells = []
        for d in dbs:
            if key is None:
                value: Any = (
                    f[d]["timers_armed_by_import"]
                    + f[d]["scan_first_timers_armed"]
                    + f[d]["scan_daily_timers_armed"]
                )
            else:
                value = f[d].get(key, "")
            cells.append(f"{value:>12,} {unit:<3}" if isinstance(value, int) else f"{value!s:>12} {unit:<3}")
        print(f"{label:32}" + "".join(cells))
