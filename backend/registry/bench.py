"""`tezuo bench registry`: the daily check over N certificates against the simulator on loopback.

Data generation (bulk inserts of people and certificates into a fresh SQLite file) is separate
from the tests, which use small ledgers. The simulator runs in its own process (as a gateway
would), with the given latency and no rate limit; the figures are the checker's: certificates
per second end to end (read page, query, compare, store outcomes) and its peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import resource
import socket
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from backend.config import Settings
from backend.db import migrate
from backend.db.bulk import insert_syncable
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.org.service import create_unit
from backend.people.idnumber import check_char
from backend.people.models import Person
from backend.registry.adapter import Answer, HttpRegistry
from backend.registry.plant import Record
from backend.registry.run_part import RunOptions, run_check
from backend.workers.models import Certificate
from backend.workers.numbers_part import ciphers_for, mask_number

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超秀霞平刚桂"


def id_number(n: int) -> str:
    birth = date(1970, 1, 1) + timedelta(days=n // 900)
    body = f"320102{birth:%Y%m%d}{n % 900 + 100:03d}"
    return body + check_char(body)


def _serve(port: int, rows: list[tuple[str, str, str, str, str]], latency: float) -> None:
    from backend.registry.simulator import RegistryServer, RegistrySim

    async def main() -> None:
        records = {
            number: Record(
                holder_id=holder,
                answer=Answer(
                    found=True, holder_name=name, item_code="02-01", item_name="熔化焊接与热切割作业",
                    status="valid", valid_until=date.fromisoformat(until),
                    issued_on=date.fromisoformat(issued),
                    issuing_authority="南京市应急管理局",
                ),
            )
            for holder, name, number, issued, until in rows
        }  # fmt: skip
        server = RegistryServer(RegistrySim(records=records, latency=latency), port=port)
        await server.start()
        await asyncio.Event().wait()

    asyncio.run(main())


async def _generate(settings: Settings, n: int, today: date) -> list[tuple[str, str, str, str, str]]:
    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    ciphers = ciphers_for(settings.secret_key)
    now = datetime.now(UTC)
    rows = []
    async with transaction(maker) as db:
        ent = await create_unit(db, "enterprise", "B", "基准化工", None)
        site = await create_unit(db, "site", "B1", "一厂区", ent)
        people, certs = [], []
        for i in range(n):
            holder = id_number(i)
            name = SURNAMES[i % 20] + GIVEN[i // 20 % 20]
            pid = uuid.uuid4()
            people.append({
                "id": pid, "name": name, "id_number_enc": ciphers.id_number.encrypt(holder),
                "id_number_index": ciphers.id_number.blind_index(holder),
                "id_number_masked": holder[:4] + "*" * 10 + holder[-4:],
                "unit_id": site.id, "unit_path": site.path, "webauthn_user_id": os.urandom(32),
                "employment": "active",
            })  # fmt: skip
            number = "T" + holder
            issued = today - timedelta(days=300 + i % 1500)
            until = issued + timedelta(days=6 * 365)
            certs.append({
                "person_id": pid, "scope_path": site.path, "family": "mem", "scheme": "mem-2010",
                "item_key": "mem:02-01", "number_enc": ciphers.cert_number.encrypt(number),
                "number_index": ciphers.cert_number.blind_index(number), "number_masked": mask_number(number),
                "issuing_authority": "南京市应急管理局", "first_issued_on": issued,
                "issued_on": issued, "valid_until": until, "deadline_on": until, "deadline_kind": "renewal",
                "window_opens_on": until - timedelta(days=60), "status": "valid", "photos": [],
            })  # fmt: skip
            rows.append((holder, name, number, issued.isoformat(), until.isoformat()))
        await insert_syncable(db, Person, people, now, "unit_path")
        await insert_syncable(db, Certificate, certs, now, "scope_path")
    await engine.dispose()
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def run(settings: Settings, args: argparse.Namespace) -> int:
    quick = bool(getattr(args, "quick", False))
    parser = argparse.ArgumentParser(prog="tezuo bench registry")
    parser.add_argument("--certificates", type=int, default=2_000 if quick else 100_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--page", type=int, default=2_000)
    opts = parser.parse_args(list(getattr(args, "options", [])))
    today = datetime.now(UTC).date()
    figures: dict[str, Any] = {
        "bench": "registry", "date": today.isoformat(), "certificates": opts.certificates,
        "latency_ms": opts.latency_ms, "concurrency": opts.concurrency, "batch": opts.batch,
        "page": opts.page,
        "cpus": os.cpu_count(), "python": platform.python_version(), "database": "sqlite",
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="tezuo-bench-registry-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        local = Settings(
            data_dir=Path(tmp), database_url=url, redis_url=None, base_url="http://localhost:8000",
            secret_key=settings.secret_key, pwa_dir=Path(tmp),
        )  # fmt: skip
        started = time.perf_counter()
        await asyncio.to_thread(migrate.upgrade, url)
        rows = await _generate(local, opts.certificates, today)
        figures["generate_s"] = round(time.perf_counter() - started, 1)
        port = _free_port()
        proc = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(port, rows, opts.latency_ms / 1000), daemon=True
        )
        proc.start()
        del rows
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(limits=httpx.Limits(max_connections=opts.concurrency * 2)) as client:
                for _ in range(600):
                    try:
                        await client.get(f"{base}/_sim/stats")
                        break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.1)
                registry = HttpRegistry(
                    client, f"{base}/v1/certificates", rate_per_second=0, batch_size=opts.batch
                )
                engine = make_engine(url)
                rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                cpu_before = time.process_time()
                t0 = time.perf_counter()
                result = await run_check(
                    make_sessionmaker(engine), local, registry, lambda: datetime.now(UTC), owner="bench",
                    options=RunOptions(concurrency=opts.concurrency, page_size=opts.page),
                )  # fmt: skip
                elapsed = time.perf_counter() - t0
                await engine.dispose()
                stats = (await client.get(f"{base}/_sim/stats")).json()
        finally:
            proc.terminate()
            proc.join(5)
    figures |= {
        "run_s": round(elapsed, 2),
        "certificates_per_s": round(result.checked / elapsed, 1),
        "checked": result.checked, "matched": result.matched, "errors": result.errors,
        "requests": stats["requests"], "checker_cpu_s": round(time.process_time() - cpu_before, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_run_mib": round(rss_before / 1024, 1),
    }  # fmt: skip
    print(f"registry check: {result.checked:,} certificates in {elapsed:.1f} s")
    print(f"  {'certificates/s':24} {figures['certificates_per_s']:>12,}")
    print(f"  {'requests to registry':24} {stats['requests']:>12,}")
    print(f"  {'matched / errors':24} {result.matched:>8,} / {result.errors}")
    print(f"  {'checker CPU s':24} {figures['checker_cpu_s']:>12}")
    print(f"  {'peak RSS MiB (checker)':24} {figures['peak_rss_mib']:>12}")
    print(f"  {'data generation s':24} {figures['generate_s']:>12}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if result.errors == 0 and result.matched == result.checked else 1
