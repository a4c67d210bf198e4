"""`tezuo bench analytics`: dashboard load time for a site with a year of records — 100k permits,
alarms, exams, certificates, weekly calibrations and 1M gas readings on one detector — through the
real app (ASGI, in-process), reporting p50/p95 per dashboard endpoint. Target: < 1 s."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import Table, insert

from backend.alarms.models import Alarm
from backend.analytics.models import AlarmReview, DetectorCalibration, ScadaSample
from backend.analytics.scenarios import night_vibration
from backend.app import create_app
from backend.auth.service import open_session
from backend.config import Settings
from backend.core.ids import uuid7
from backend.db import migrate
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.gas.models import GasDetector, GasReading
from backend.http.deps import SESSION_COOKIE
from backend.org.models import Area, OrgUnit
from backend.people import service as people
from backend.permits.models import Permit
from backend.workers.models import Assignment, Certificate, PracticalAssessment

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
TRADES = ("hot_work", "confined_space", "work_at_height", "lifting", "temporary_power", "blinding")


def _id_number(n: int) -> str:
    from backend.people.idnumber import check_char

    body = f"110101198{n // 100000 % 10}{1 + n // 10000 % 12:02d}{1 + n // 100 % 28:02d}{n % 100:03d}"
    return body + check_char(body)


async def _bulk(db: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    table = model.__table__
    assert isinstance(table, Table)
    for start in range(0, len(rows), 5000):
        await db.execute(insert(table), rows[start : start + 5000])


async def _seed(sm: Any, secret: bytes, permits: int, readings: int) -> dict[str, Any]:
    """A year of one enterprise: 1 site, 3 workshops × 3 teams, 600 workers."""
    rng = random.Random(12)
    since = NOW - timedelta(days=365)
    stamp = {"created_at": NOW, "updated_at": NOW, "version": 1}
    async with transaction(sm) as db:
        from backend.org.service import create_unit

        ent = await create_unit(db, "enterprise", "BE", "基准集团", None)
        site = await create_unit(db, "site", "BS", "基准厂区", ent)
        teams: list[OrgUnit] = []
        areas = []
        for wi in range(3):
            ws = await create_unit(db, "workshop", f"BS-W{wi}", f"车间{wi}", site)
            area = Area(
                site_id=site.id,
                workshop_id=ws.id,
                code=f"BA-{wi}",
                name=f"区{wi}",
                hazard_class="general",
                plan_polygon=[[0, 0], [10, 0], [10, 10]],
                scope_path=ws.path,
            )
            db.add(area)
            areas.append((area, ws))
            for t in range(3):
                teams.append(await create_unit(db, "team", f"BS-W{wi}-T{t}", f"班组{wi}{t}", ws))
        cipher = people.id_cipher(secret)
        boss = await people.create_person(
            db, cipher, name="安全总监", id_number=_id_number(999_999), unit=ent
        )
        await people.grant_role(db, boss, "safety_officer", ent)
        await db.flush()
        workers = []
        for n in range(600):
            team = teams[n % len(teams)]
            workers.append(
                {
                    "id": uuid7(),
                    "name": f"工人{n}",
                    "id_number_enc": "x",
                    "id_number_index": f"bench{n}",
                    "id_number_masked": "1101**",
                    "unit_id": team.id,
                    "unit_path": team.path,
                    "employment": "active",
                    "webauthn_user_id": os.urandom(16),
                    "locale": "zh-CN",
                    **stamp,
                }
            )
        from backend.people.models import Person

        await _bulk(db, Person, workers)
        leaders = {t.path: workers[i]["id"] for i, t in enumerate(teams)}
        rows = []
        for n in range(permits):
            team = teams[n % len(teams)]
            area, ws = areas[(n % len(teams)) // 3]
            sub = since + timedelta(seconds=rng.uniform(0, 365 * 86400 - 86400))
            appr = sub + timedelta(minutes=rng.uniform(10, 200))
            start = appr + timedelta(minutes=rng.uniform(-5, 60))
            valid = start + timedelta(hours=4)
            done = start + timedelta(hours=rng.uniform(1, 4.4))
            crew = [str(workers[(n * 7 + k) % 600]["id"]) for k in range(2)]
            rows.append(
                {
                    "id": uuid7(),
                    "number": f"BP{n:07d}",
                    "revision": 1,
                    "work_type": TRADES[n % 6],
                    "grade": "2",
                    "status": "closed",
                    "site_id": site.id,
                    "workshop_id": ws.id,
                    "area_id": area.id,
                    "scope_path": ws.path,
                    "applicant_id": leaders[team.path],
                    "operator_ids": crew,
                    "content": "作业",
                    "form": {},
                    "facts": {},
                    "measures": [],
                    "grading": {},
                    "simops": [],
                    "planned_start": start,
                    "planned_end": valid,
                    "valid_until": valid,
                    "current_stage": 0,
                    "submitted_at": sub,
                    "approved_at": appr,
                    "started_at": start,
                    "completed_at": done,
                    **stamp,
                }
            )
        await _bulk(db, Permit, rows)
        alarms, reviews = [], []
        for n in range(permits // 5):
            at = since + timedelta(seconds=rng.uniform(0, 365 * 86400))
            kind = rng.choice(("no_helmet", "no_harness", "no_permit_work", "sos", "gas_over_limit"))
            aid = uuid7()
            alarms.append(
                {
                    "id": aid,
                    "source": "sos" if kind == "sos" else "edge",
                    "kind": kind,
                    "tier": 1,
                    "site_id": site.id,
                    "scope_path": teams[n % 9].path,
                    "state": "resolved",
                    "level": 0,
                    "message": "",
                    "detail": {"work_type": TRADES[n % 6]},
                    "labels": {},
                    "plan": {},
                    "raised_at": at,
                    "received_at": at,
                    "response_seconds": rng.uniform(10, 150),
                    "resolution": "",
                    **stamp,
                }
            )
            if n % 3 == 0:
                reviews.append(
                    {
                        "id": uuid7(),
                        "alarm_id": aid,
                        "verdict": "false_positive" if n % 30 == 0 else "confirmed",
                        "reviewer_id": boss.id,
                        "reviewed_at": at,
                        "note": "",
                    }
                )
        await _bulk(db, Alarm, alarms)
        await _bulk(db, AlarmReview, reviews)
        exams, certs, assigns = [], [], []
        for n, w in enumerate(workers):
            trade = TRADES[n % 6]
            deadline = date(2027, 6, 1) if n % 20 else date(2026, 3, 1)
            certs.append(
                {
                    "id": uuid7(),
                    "person_id": w["id"],
                    "scope_path": w["unit_path"],
                    "family": "mem",
                    "scheme": "mem-2010",
                    "item_key": trade,
                    "number_enc": "x",
                    "number_index": f"c{n}",
                    "number_masked": "T*",
                    "issuing_authority": "",
                    "issued_on": date(2021, 1, 1),
                    "valid_until": deadline,
                    "review_extended": False,
                    "deadline_on": deadline,
                    "deadline_kind": "review",
                    "window_opens_on": deadline - timedelta(days=60),
                    "status": "valid",
                    "photos": [],
                    **stamp,
                }
            )
            assigns.append(
                {
                    "id": uuid7(),
                    "person_id": w["id"],
                    "scope_path": w["unit_path"],
                    "item_key": trade,
                    "assigned_on": date(2025, 1, 1),
                    **stamp,
                }
            )
            for k in range(8):
                exams.append(
                    {
                        "id": uuid7(),
                        "person_id": w["id"],
                        "scope_path": w["unit_path"],
                        "item_key": trade,
                        "assessed_on": (since + timedelta(days=45 * k + n % 40)).date(),
                        "passed": rng.random() > 0.04,
                        "assessor": "考评员",
                        "note": "",
                        **stamp,
                    }
                )
        await _bulk(db, Certificate, certs)
        await _bulk(db, Assignment, assigns)
        await _bulk(db, PracticalAssessment, exams)
        detectors, cals = [], []
        for k in range(20):
            area, ws = areas[k % 3]
            did = uuid7()
            detectors.append(
                {
                    "id": did,
                    "code": f"BD{k}",
                    "name": f"BD{k}",
                    "site_id": site.id,
                    "area_id": area.id,
                    "gas": "hydrogen_sulfide",
                    "kind": "fixed",
                    "scope_path": ws.path,
                    **stamp,
                }
            )
            for week in range(52):
                cals.append(
                    {
                        "id": uuid7(),
                        "detector_id": did,
                        "calibrated_at": since + timedelta(days=7 * week + 1),
                        "reference_gas": "H2S 25ppm",
                        "reference_value": 25.0,
                        "reading": 25 + rng.uniform(-0.7, 0.7),
                        "unit": "ppm",
                        "deviation_percent": round(rng.uniform(-2.8, 2.8), 2),
                        "technician": "仪表工",
                        "scope_path": ws.path,
                        "note": "",
                    }
                )
        await _bulk(db, GasDetector, detectors)
        await _bulk(db, DetectorCalibration, cals)
    # The watched detector: `readings` over the year, the last 7 days being the pump-vibration nights.
    det = detectors[0]
    step = timedelta(seconds=365 * 86400 / readings)
    scen = night_vibration(NOW - timedelta(days=7))
    async with transaction(sm) as db:
        batch: list[dict[str, Any]] = []
        at = since
        tail = iter(scen.readings)
        while at < NOW:
            value = round(max(0.0, rng.gauss(0.3, 0.2)), 2) if at < scen.since else next(tail, (at, 0.3))[1]
            batch.append(
                {
                    "id": uuid.uuid4(),
                    "detector_id": det["id"],
                    "area_id": det["area_id"],
                    "measured_at": at,
                    "received_at": at,
                    "gas": "hydrogen_sulfide",
                    "lel_percent": value,
                    "within_limits": True,
                }
            )
            at += step if at < scen.since else timedelta(minutes=1)
            if len(batch) >= 20000:
                await _bulk(db, GasReading, batch)
                batch = []
        await _bulk(db, GasReading, batch)
        scada = [
            {"id": uuid.uuid4(), "site_id": site.id, "tag": tag, "at": t, "value": v}
            for tag, series in scen.scada.items()
            for t, v in series
        ]
        await _bulk(db, ScadaSample, scada)
    async with transaction(sm) as db:
        token = await open_session(db, boss.id, None, NOW, 12)
    return {"token": token, "enterprise": ent.id, "site": site.id, "detector": det["id"]}


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 1)


async def _measure(settings: Settings, seeded: dict[str, Any], rounds: int) -> list[dict[str, Any]]:
    def period(days: int) -> dict[str, str]:
        return {"since": (NOW - timedelta(days=days)).isoformat(), "until": NOW.isoformat()}

    ent, det = str(seeded["enterprise"]), seeded["detector"]
    calls = [
        ("dashboard 30 d (enterprise)", "/api/analytics/dashboard", {"unit_id": ent, **period(30)}),
        ("dashboard 365 d (enterprise)", "/api/analytics/dashboard", {"unit_id": ent, **period(365)}),
        (
            "indicator by unit, 30 d",
            "/api/analytics/indicators/permit_overtime_rate",
            {"unit_id": ent, "by": "unit", **period(30)},
        ),
        (
            "indicator by person, 90 d",
            "/api/analytics/indicators/practical_pass_rate",
            {"unit_id": ent, "by": "person", **period(90)},
        ),
        ("root cause 7 d (1M-reading detector)", f"/api/analytics/detectors/{det}/root-cause", {"days": "7"}),
        ("root-cause plot 7 d (PNG)", f"/api/analytics/detectors/{det}/root-cause.png", {"days": "7"}),
    ]
    out = []
    app = create_app(settings, lambda: NOW)
    async with AsyncTestClient(app=app, base_url=settings.base_url) as client:
        client.headers["cookie"] = f"{SESSION_COOKIE}={seeded['token']}"
        for name, path, params in calls:
            times = []
            for _ in range(rounds + 1):  # the first is a warm-up (imports, caches)
                t = time.perf_counter()
                r = await client.get(path, params=params)
                times.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
            times = times[1:]
            out.append(
                {
                    "endpoint": name,
                    "p50_ms": _pct(times, 0.5),
                    "p95_ms": _pct(times, 0.95),
                    "mean_ms": round(statistics.fmean(times), 1),
                    "bytes": len(r.content),
                }
            )
    return out


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
        engine = make_engine(url)
        t = time.perf_counter()
        seeded = await _seed(make_sessionmaker(engine), settings.secret_key, args.permits, args.readings)
        seed_s = round(time.perf_counter() - t, 1)
        await engine.dispose()
        rows = await _measure(settings, seeded, args.rounds)
    finally:
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        shutil.rmtree(tmp, ignore_errors=True)
    db = "postgresql" if args.pg else "sqlite"
    print(
        f"tezuo bench analytics — {args.permits} permits, {args.readings} gas readings on one detector, "
        f"1 year, {db}, {args.rounds} rounds, {os.cpu_count()} CPUs, seeded in {seed_s} s"
    )
    print(f"{'endpoint':<40} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
    for r in rows:
        print(f"{r['endpoint']:<40} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['bytes']:>9}")
    met = all(r["p95_ms"] < 1000 for r in rows)
    print(
        json.dumps(
            {
                "bench": "analytics",
                "database": db,
                "permits": args.permits,
                "readings": args.readings,
                "target_p95_ms": 1000,
                "met": met,
                "seed_seconds": seed_s,
                "endpoints": rows,
            },
            ensure_ascii=False,
        )
    )
    return 0
