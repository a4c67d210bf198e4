"""`tezuo bench audit`: appends/s, proof latency and full-verify time at a million entries.

The log is seeded in bulk with the very rows `record_many` would write (same canonical leaves,
same stored subtrees), then appends are measured through `record_many` itself, one transaction
per batch, and through `record`, one transaction per entry. SQLite in a temporary directory by
default; `--database-url` runs on an empty PostgreSQL database instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit import merkle, service
from backend.audit.keys import load_signer, public_keys
from backend.audit.leaf import format_time
from backend.audit.models import node_key
from backend.audit.schemas import Evidence, Record
from backend.audit.verify import verify_log
from backend.config import Settings
from backend.db import migrate
from backend.db.engine import make_engine, make_sessionmaker, transaction

SEED_CHUNK = 50_000
TARGETS = {"appends_per_s": 5000, "proof_ms": 5, "verify_s": 60}
EVIDENCE = Evidence(
    channel="api",
    ip="10.20.30.40",
    user_agent="Mozilla/5.0 (Linux; Android 14; Tezuo PWA)",
    credential_id="mQ2cR8r0bWkq3n4Xo1F5sQ",
    device_id="phone-7f3a",
    device_time="2026-11-28T07:59:58.120Z-0003-phone-7f3a",
)


def _record(i: int) -> Record:
    """A realistic approval-sized entry; the device clock differs on every one, as a real HLC does."""
    hlc = f"2026-11-28T07:59:58.{i % 1000:03d}Z-{i % 65536:04x}-phone-7f3a"
    return Record(
        action=("permit.approve", "permit.sign", "worker.freeze", "media.upload")[i % 4],
        entity="permit",
        entity_id=str(uuid.UUID(int=(i * 2654435761) % (1 << 128))),
        entity_version=i % 7 + 1,
        actor_id=uuid.UUID(int=i % 997 + 1),
        details={"step": i % 5, "decision": "approve", "grade": "二级"},
        evidence=msgspec.structs.replace(EVIDENCE, device_time=hlc),
    )


async def _seed(maker: async_sessionmaker[AsyncSession], count: int, start: datetime) -> float:
    """Bulk-write `count` entries, their subtrees and the log head, as record_many would."""
    began = time.perf_counter()
    edge, seen = merkle.CompactRange(), dict[Evidence, tuple[Evidence, str]]()
    for lo in range(0, count, SEED_CHUNK):
        rows, nodes = [], []
        for i in range(lo, min(lo + SEED_CHUNK, count)):
            when = start + timedelta(milliseconds=i)
            row = service._place(service._prepare(_record(i), when, EVIDENCE, seen), i, format_time(when))
            rows.append(row)
            nodes += [
                {"node_key": node_key(lv, ix), "hash": h} for lv, ix, h in edge.append(row["leaf_hash"])
            ]
        async with transaction(maker) as db:
            await db.execute(insert(service.entries_t), rows)
            await db.execute(insert(service.nodes_t), nodes)
        print(f"  seeded {min(lo + SEED_CHUNK, count):>9,} entries", end="\r", flush=True)
    async with transaction(maker) as db:
        head = {"id": service.HEAD_ID, "size": count, "frontier": edge.to_bytes(), "root_hash": edge.root()}
        await db.execute(insert(service.head_t).values(**head, updated_at=start))
    print()
    return time.perf_counter() - began


async def _appends(
    maker: async_sessionmaker[AsyncSession], batches: int, size: int, now: datetime
) -> tuple[float, float]:
    """Appends per second of wall time, and per second of this process's CPU time (which other
    load on a shared machine does not distort; on SQLite it includes the database's work)."""
    began, cpu = time.perf_counter(), time.process_time()
    for b in range(batches):
        async with transaction(maker) as db:
            await service.record_many(db, now, [_record(b * size + i) for i in range(size)])
    count = batches * size
    return count / (time.perf_counter() - began), count / (time.process_time() - cpu)


async def _singles(maker: async_sessionmaker[AsyncSession], count: int, now: datetime) -> float:
    began = time.perf_counter()
    for i in range(count):
        async with transaction(maker) as db:
            await service.record(
                db, now, action="auth.login", entity="person", entity_id=str(uuid.UUID(int=i))
            )
    return count / (time.perf_counter() - began)


def _ms(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100)
    return {"p50": round(cuts[49], 3), "p95": round(cuts[94], 3), "max": round(max(samples), 3)}


async def _proofs(
    maker: async_sessionmaker[AsyncSession], size: int, root: bytes, count: int
) -> tuple[dict, dict]:
    """Latency of one proof as a request sees it (own session), each checked against the root."""
    rng = random.Random(6962)
    inclusion, consistency = [], []
    for _ in range(count):
        m = rng.randrange(size)
        began = time.perf_counter()
        async with maker() as db:
            leaf, path = (await service.inclusion_proofs(db, [m], size))[m]
        inclusion.append((time.perf_counter() - began) * 1000)
        if merkle.root_from_path(leaf, m, size, path) != root:
            raise AssertionError(f"inclusion proof of leaf {m} does not reach the signed root")
        first = rng.randrange(1, size)
        began = time.perf_counter()
        async with maker() as db:
            await service.consistency_proof(db, first, size)
        consistency.append((time.perf_counter() - began) * 1000)
    return _ms(inclusion), _ms(consistency)


async def _bench(args: argparse.Namespace, url: str, keys_dir: Path) -> dict:
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as db:
            if await db.scalar(select(func.count()).select_from(service.entries_t)):
                raise SystemExit(
                    "the audit log of that database is not empty: give the bench a scratch database"
                )
        start = datetime(2026, 1, 1, tzinfo=UTC)
        print(f"seeding {args.entries:,} entries …")
        seed_s = await _seed(maker, args.entries, start)
        now = start + timedelta(days=30)
        print(f"appending {args.batches} × {args.batch} through record_many, {args.singles} through record …")
        batched, batched_cpu = await _appends(maker, args.batches, args.batch, now)
        single = await _singles(maker, args.singles, now)
        signer = load_signer(keys_dir)
        began = time.perf_counter()
        async with transaction(maker) as db:
            sth, _ = await service.issue_tree_head(db, signer, now)
        sth_ms = (time.perf_counter() - began) * 1000
        print(f"{args.proofs} inclusion and consistency proofs at size {sth.tree_size:,} …")
        inclusion, consistency = await _proofs(maker, sth.tree_size, sth.root_hash, args.proofs)
        print("verifying the whole log …")
        cpu = time.process_time()
        async with maker() as db:
            report = await verify_log(db, public_keys(keys_dir))
        verify_cpu = time.process_time() - cpu
        if not report.ok:
            raise AssertionError(f"the benchmark log does not verify: {report.first()}")
        if not args.keep:
            async with transaction(maker) as db:
                for table in ("audit_tree_heads", "audit_log_head", "audit_nodes", "audit_entries"):
                    await db.execute(text(f"DELETE FROM {table}"))
    finally:
        await engine.dispose()
    return {
        "bench": "audit",
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "entries": report.entries,
        "seed_s": round(seed_s, 1),
        "appends_per_s_batched": round(batched),
        "appends_per_cpu_s_batched": round(batched_cpu),
        "batch": args.batch,
        "appends_per_s_single": round(single),
        "sth_ms": round(sth_ms, 2),
        "inclusion_proof_ms": inclusion,
        "consistency_proof_ms": consistency,
        "verify_s": round(report.seconds, 1),
        "verify_cpu_s": round(verify_cpu, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "targets": TARGETS,
    }


def _table(figures: dict) -> None:
    t = figures["targets"]
    rows = [
        ("entries in the log", f"{figures['entries']:,}", ""),
        ("bulk seed", f"{figures['seed_s']} s", ""),
        (
            f"appends/s, batches of {figures['batch']}",
            f"{figures['appends_per_s_batched']:,}",
            f"≥ {t['appends_per_s']:,}",
        ),
        ("appends/s, one per transaction", f"{figures['appends_per_s_single']:,}", ""),
        ("sign a tree head", f"{figures['sth_ms']} ms", ""),
        (
            "inclusion proof p50 / p95",
            "{p50} / {p95} ms".format(**figures["inclusion_proof_ms"]),
            f"< {t['proof_ms']} ms",
        ),
        (
            "consistency proof p50 / p95",
            "{p50} / {p95} ms".format(**figures["consistency_proof_ms"]),
            f"< {t['proof_ms']} ms",
        ),
        ("full verify", f"{figures['verify_s']} s", f"< {t['verify_s']} s"),
        ("  of which this process's CPU", f"{figures['verify_cpu_s']} s", ""),
        ("  appends per CPU second, batched", f"{figures['appends_per_cpu_s_batched']:,}", ""),
        ("load average at the end (1/5/15 min)", " / ".join(map(str, figures["load_average"])), ""),
    ]
    print(f"\naudit log benchmark ({figures['database']})")
    for name, value, target in rows:
        print(f"  {name:<34}{value:>20}   {target}")


QUICK = {"entries": 2000, "batches": 2, "batch": 100, "singles": 5, "proofs": 20}


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """`tezuo bench audit [--quick] [--entries N] [--database-url URL] …` (see --help)."""
    parser = argparse.ArgumentParser(prog="tezuo bench audit", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries to seed (default 1,000,000)")
    parser.add_argument("--database-url", help="an EMPTY scratch database (default: SQLite in a temp dir)")
    parser.add_argument("--batch", type=int, default=1000, help="entries per record_many transaction")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--singles", type=int, default=200, help="one-entry transactions to time")
    parser.add_argument("--proofs", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="leave the entries in --database-url")
    if getattr(args, "quick", False):
        parser.set_defaults(**QUICK)
    options = parser.parse_args(getattr(args, "options", []))
    with tempfile.TemporaryDirectory(prefix="tezuo-bench-audit-") as tmp:
        url = options.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'audit.sqlite3'}"
        await asyncio.to_thread(migrate.upgrade, url)
        figures = await _bench(options, url, Path(tmp) / "keys")
    _table(figures)
    print(json.dumps(figures, ensure_ascii=False))
    return 0
