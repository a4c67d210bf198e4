"""`tezuo bench analytics`: load time of the analytics page for a site with a year of records —
100k permits, alarms, exams, certificates, weekly calibrations and 1M gas readings on one detector
(bench_seed.py) — through the real app (ASGI, in-process). For the 30-, 90- and 365-day periods it
times every call the PWA page makes on load (units, dashboard, heatmap PNG) and reports p50/p95 wall
and CPU per call; the drill-downs and the root-cause finding are timed too. Target: < 1 s."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from backend.analytics import fold
from backend.analytics.bench_seed import MIDNIGHT, NOW, seed
from backend.app import create_app
from backend.config import Settings
from backend.db import migrate
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.http.deps import SESSION_COOKIE

PERIODS = (30, 90, 365)
TARGET_MS = 1000


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 1)


def _cpu() -> float:
    """CPU seconds of this process (all threads: the PNG and PDF are drawn in worker threads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _period(days: int) -> dict[str, str]:
    """As the PWA asks: from the UTC midnight `days` back until now."""
    return {"since": (MIDNIGHT - timedelta(days=days)).isoformat(), "until": NOW.isoformat()}


def _calls(seeded: dict[str, Any]) -> list[tuple[str, str, str, dict[str, str]]]:
    """(group, name, path, params): group "load" is what the page requests when it opens."""
    ent, det = str(seeded["enterprise"]), seeded["detector"]
    out = []
    for days in PERIODS:
        q = {"unit_id": ent, **_period(days)}
        out += [
            ("load", f"units ({days} d page)", "/api/analytics/units", {}),
            ("load", f"dashboard {days} d", "/api/analytics/dashboard", q),
            ("load", f"heatmap.png {days} d", "/api/analytics/heatmap.png", {**q, "shift": "all"}),
        ]
    out += [
        (
            "drill",
            "indicator by unit, 30 d",
            "/api/analytics/indicators/permit_overtime_rate",
            {"unit_id": ent, "by": "unit", **_period(30)},
        ),
        (
            "drill",
            "indicator by person, 90 d",
            "/api/analytics/indicators/practical_pass_rate",
            {"unit_id": ent, "by": "person", **_period(90)},
        ),
        ("drill", "gas series 7 d (hourly)", f"/api/analytics/detectors/{det}/series", _period(7)),
        ("drill", "gas series 365 d (daily)", f"/api/analytics/detectors/{det}/series", _period(365)),
        ("drill", "root cause 7 d", f"/api/analytics/detectors/{det}/root-cause", {"days": "7"}),
        ("drill", "root-cause plot 7 d", f"/api/analytics/detectors/{det}/root-cause.png", {"days": "7"}),
    ]
    return out


async def _measure(settings: Settings, seeded: dict[str, Any], rounds: int) -> list[dict[str, Any]]:
    out = []
    app = create_app(settings, lambda: NOW)
    async with AsyncTestClient(app=app, base_url=settings.base_url) as client:
        client.headers["cookie"] = f"{SESSION_COOKIE}={seeded['token']}"
        for group, name, path, params in _calls(seeded):
            walls, cpus = [], []
            for _ in range(rounds + 1):  # the first is a warm-up (imports, caches)
                t, c = time.perf_counter(), _cpu()
                r = await client.get(path, params=params)
                walls.append((time.perf_counter() - t) * 1000)
                cpus.append((_cpu() - c) * 1000)
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
            walls, cpus = walls[1:], cpus[1:]
            out.append(
                {
                    "group": group,
                    "endpoint": name,
                    "p50_ms": _pct(walls, 0.5),
                    "p95_ms": _pct(walls, 0.95),
                    "mean_ms": round(statistics.fmean(walls), 1),
                    "cpu_p50_ms": _pct(cpus, 0.5),
                    "bytes": len(r.content),
                }
            )
    return out


async def _build(url: str, settings: Settings, permits: int, readings: int) -> dict[str, Any]:
    """Seed, then backfill the rollups (`tezuo analytics rebuild`); wall and CPU seconds of each."""
    engine = make_engine(url)
    try:
        sm = make_sessionmaker(engine)
        t, c = time.perf_counter(), _cpu()
        seeded = await seed(sm, settings.secret_key, permits, readings)
        seeded["seed_s"] = round(time.perf_counter() - t, 1)
        seeded["seed_cpu_s"] = round(_cpu() - c, 1)
        t, c = time.perf_counter(), _cpu()
        async with transaction(sm) as db:
            seeded["backfill_days"] = await fold.fold(db, NOW, rebuild=True)
        seeded["backfill_s"] = round(time.perf_counter() - t, 1)
        seeded["backfill_cpu_s"] = round(_cpu() - c, 1)
    finally:
        await engine.dispose()
    return seeded


def _report(args: argparse.Namespace, db: str, seeded: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    load = [round(x, 2) for x in os.getloadavg()]
    print(
        f"tezuo bench analytics — {args.permits} permits, {args.readings} gas readings on one detector, "
        f"1 year, {db}, {args.rounds} rounds, {os.cpu_count()} CPUs, "
        f"load average {load[0]}/{load[1]}/{load[2]}"
    )
    print(
        f"seeded in {seeded['seed_s']} s ({seeded['seed_cpu_s']} CPU-s); rollups backfilled "
        f"({seeded['backfill_days']} days) in {seeded['backfill_s']} s ({seeded['backfill_cpu_s']} CPU-s)"
    )
    print(f"{'endpoint':<34} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'bytes':>9}")
    for group in ("load", "drill"):
        print("— on page load —" if group == "load" else "— on click / other views —")
        for r in rows:
            if r["group"] == group:
                cells = f"{r['p50_ms']:>8} {r['p95_ms']:>8} {r['cpu_p50_ms']:>8} {r['bytes']:>9}"
                print(f"{r['endpoint']:<34} {cells}")
    met = all(r["p95_ms"] < TARGET_MS for r in rows if r["group"] == "load")
    print(f"page-load calls p95 < {TARGET_MS} ms: {'met' if met else 'NOT met'}")
    result = {
        "bench": "analytics",
        "database": db,
        "permits": args.permits,
        "readings": args.readings,
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "load_average": load,
        "target_p95_ms": TARGET_MS,
        "met": met,
        **{k: seeded[k] for k in ("seed_s", "seed_cpu_s", "backfill_days", "backfill_s", "backfill_cpu_s")},
        "endpoints": rows,
    }
    print(json.dumps(result, ensure_ascii=False))


async def run(settings: Settings, ns: argparse.Namespace) -> int:
    """`tezuo bench analytics [--quick] [--permits N] [--readings N] [--rounds N] [--pg DSN]`."""
    parser = argparse.ArgumentParser(prog="tezuo bench analytics", description=__doc__)
    parser.add_argument("--permits", type=int, default=100_000)
    parser.add_argument(
        "--readings", type=int, default=1_000_000, help="gas readings on the watched detector"
    )
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pg", default=None, help="PostgreSQL admin DSN: run on a throw-away database there")
    args = parser.parse_args(list(getattr(ns, "options", [])))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if getattr(ns, "quick", False):
        args.permits, args.readings, args.rounds = 5_000, 50_000, 3
    tmp = Path(tempfile.mkdtemp(prefix="tezuo-bench-analytics-"))
    admin = None
    if args.pg:
        import asyncpg

        name = f"tezuo_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(args.pg)
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = args.pg.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    else:
        url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        settings = Settings(
            data_dir=tmp,
            database_url=url,
            redis_url=None,
            base_url="http://localhost:8000",
            secret_key=settings.secret_key,
            pwa_dir=tmp / "no-pwa",
        )
        seeded = await _build(url, settings, args.permits, args.readings)
        rows = await _measure(settings, seeded, args.rounds)
    finally:
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        shutil.rmtree(tmp, ignore_errors=True)
    _report(args, "postgresql" if args.pg else "sqlite", seeded, rows)
    return 0
