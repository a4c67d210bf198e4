"""`tezuo bench alarms`: latency from an edge node's ingest request to the push service's receipt.

For each mode it builds a throw-away installation (SQLite + in-process bus, or PostgreSQL + a
private redis-server + several API workers), starts `tezuo serve` and `tezuo sim push` as real
processes, registers four phones routed by tier 1, then sends alarms open-loop at a fixed rate
as an edge node would (token, timestamp, nonce per request) and reads the simulator's receipt
time of every message. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from backend.config import Settings
from backend.core.heap import freeze_startup_heap
from backend.push.ece import UserAgentKeys, decrypt
from backend.push.service import topic_of

SECRET = "bench-secret-not-for-production"
# --profile: run `tezuo serve` under cProfile timed by the main thread's CPU clock (not wall time:
# on a shared machine a wall-clock profile mostly measures waiting), stats written on exit.
PROFILER = """
import cProfile, runpy, sys, time
out, sys.argv = sys.argv[1], sys.argv[2:]
profile = cProfile.Profile(time.thread_time)
profile.enable()
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except (SystemExit, KeyboardInterrupt):
    pass
finally:
    profile.disable()
    profile.dump_stats(out)
"""
PEOPLE = (("guardian", "team"), ("team_leader", "team"), ("inspector", "site"), ("safety_officer", "site"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


@dataclass
class Installation:
    mode: str
    tmp: Path
    database_url: str
    workers: int
    redis_url: str | None = None
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    profile: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEZUO_")}
        env |= {
            "TEZUO_DATA_DIR": str(self.tmp),
            "TEZUO_DATABASE_URL": self.database_url,
            "TEZUO_SECRET_KEY": SECRET,
        }
        env["TEZUO_PWA_DIR"] = str(self.tmp / "no-pwa")
        if self.redis_url:
            env["TEZUO_REDIS_URL"] = self.redis_url
        return env | self.extra_env

    def start(self, *args: str, name: str) -> None:
        log = (self.tmp / f"{name}.log").open("ab")
        self.procs.append(subprocess.Popen(list(args), env=self.env(), stdout=log, stderr=subprocess.STDOUT))

    def stop(self) -> None:
        for proc in reversed(self.procs):
            # uvicorn re-raises the signal it stopped on; only SIGINT (KeyboardInterrupt) lets
            # cProfile write its stats on the way out
            proc.send_signal(signal.SIGINT) if self.profile else proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _wait_http(url: str, seconds: float = 60) -> None:
    async with httpx.AsyncClient(timeout=1) as client:
        for _ in range(int(seconds * 10)):
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def _seed(database_url: str) -> tuple[str, list[tuple[Any, str]]]:
    """Org, one area, the four tier-1 roles, an edge node; returns its token and (person, session) pairs."""
    from backend.auth.service import open_session
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.devices.service import create_device
    from backend.org.models import Area
    from backend.org.service import create_unit
    from backend.people import service as people

    engine = make_engine(database_url)
    now = datetime.now(UTC)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            ent = await create_unit(db, "enterprise", "BENCH", "基准测试集团", None)
            site = await create_unit(db, "site", "BENCH-S", "基准厂区", ent)
            shop = await create_unit(db, "workshop", "BENCH-W", "基准车间", site)
            team = await create_unit(db, "team", "BENCH-T", "基准班组", shop)
            db.add(
                Area(
                    site_id=site.id,
                    workshop_id=shop.id,
                    code="BENCH-A",
                    name="吊装区",
                    hazard_class="general",
                    plan_polygon=[[0, 0], [100, 0], [100, 100], [0, 100]],
                    scope_path=site.path,
                )
            )
            cipher = people.id_cipher(SECRET.encode())
            sessions = []
            for n, (role, where) in enumerate(PEOPLE):
                unit = team if where == "team" else site
                number = _id_number(n)
                person = await people.create_person(db, cipher, name=role, id_number=number, unit=unit)
                await people.grant_role(db, person, role, unit)
                sessions.append((person, await open_session(db, person.id, None, now, 8)))
            _, token = await create_device(
                db, kind="edge", name="bench edge", site=site, person_id=None, now=now
            )
        return token, sessions
    finally:
        await engine.dispose()


def _id_number(n: int) -> str:
    from backend.people.idnumber import check_char

    body = f"11010119900101{n:03d}"
    return body + check_char(body)


async def _run(inst: Installation, rate: float, seconds: float) -> dict[str, Any]:
    from backend.db import migrate

    await asyncio.to_thread(migrate.upgrade, inst.database_url)
    token, sessions = await _seed(inst.database_url)
    sim_port, api_port = _port(), _port()
    tezuo = str(Path(sys.executable).with_name("tezuo"))
    inst.start(tezuo, "sim", "push", "--port", str(sim_port), name="sim")
    prof = [sys.executable, "-c", PROFILER, str(inst.profile)] if inst.profile else []
    serve = [
        *prof,
        tezuo,
        "serve",
        "--port",
        str(api_port),
        "--workers",
        str(inst.workers),
        "--log-level",
        "warning",
    ]
    inst.start(*serve, name="api")
    sim, api = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{api_port}"
    await _wait_http(f"{sim}/health")
    await _wait_http(f"{api}/api/health")
    phones: dict[str, UserAgentKeys] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for _, session in sessions:
            endpoint = (await client.post(f"{sim}/subscriptions", json={})).json()
            keys = UserAgentKeys.generate()
            body = {"endpoint": endpoint["endpoint"], "keys": keys.subscription_keys()}
            res = await client.post(
                f"{api}/api/push/subscriptions", json=body, cookies={"tezuo_session": session}
            )
            res.raise_for_status()
            phones[endpoint["token"]] = keys

    async with httpx.AsyncClient(
        base_url=api, timeout=30, limits=httpx.Limits(max_connections=200)
    ) as client:

        async def send(alarm_id: str) -> tuple[float, float, int]:
            body = {
                "alarm_id": alarm_id,
                "kind": "person_under_load",
                "raised_at": datetime.now(UTC).isoformat(),
                "area_code": "BENCH-A",
            }
            headers = {
                "authorization": f"Bearer {token}",
                "x-tezuo-timestamp": f"{time.time():.3f}",
                "x-tezuo-nonce": secrets.token_urlsafe(16),
            }
            start = time.time()
            try:
                res = await client.post("/api/alarms/ingest", json=body, headers=headers)
            except httpx.TransportError:
                return start, time.time() - start, 0  # counted as rejected: the edge would retry
            return start, time.time() - start, res.status_code

        for _ in range(5):  # warm up every worker's connections and caches, then forget
            await send(str(uuid.uuid4()))
        await _drain(sim, 20, 30)
        await client.delete(f"{sim}/deliveries")
        total = int(rate * seconds)
        ids = [str(uuid.uuid4()) for _ in range(total)]
        freeze_startup_heap()  # a full GC pass of the load generator would show as latency
        cpu0, load0 = _cpu(inst), os.getloadavg()[0]
        t0 = time.time() + 0.2
        tasks = []
        for i, alarm_id in enumerate(ids):
            await asyncio.sleep(max(0.0, t0 + i / rate - time.time()))
            tasks.append(asyncio.create_task(send(alarm_id)))
        sent = await asyncio.gather(*tasks)
        deliveries = await _drain(sim, total * len(PEOPLE), 120)
        answers = (await client.get(f"{sim}/health")).json()["attempts"]
        cpu = {name: round(v - cpu0.get(name, 0.0), 2) for name, v in _cpu(inst).items()}
        load = (load0, os.getloadavg()[0])
    by_topic = {topic_of(f"alarm:{alarm_id}"): (alarm_id, s) for alarm_id, s in zip(ids, sent, strict=True)}
    latencies: list[float] = []
    first: dict[str, float] = {}
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    for d in deliveries:
        alarm_id, (start, _, _) = by_topic[d["topic"]]
        key = (alarm_id, d["token"])
        duplicates += key in seen
        seen.add(key)
        latencies.append(d["received_at"] - start)
        first[alarm_id] = min(first.get(alarm_id, math.inf), d["received_at"] - start)
    sample = deliveries[:20]
    decrypted = all(
        json.loads(decrypt(base64.b64decode(d["body"]), phones[d["token"]]))["alarm_id"]
        == by_topic[d["topic"]][0]
        for d in sample
    )
    ingest = [s[1] for s in sent]
    return {
        "mode": inst.mode,
        "database": "sqlite" if inst.database_url.startswith("sqlite") else "postgresql",
        "workers": inst.workers,
        "rate": rate,
        "alarms": total,
        "expected": total * len(PEOPLE),
        "delivered": len(seen),
        "lost": total * len(PEOPLE) - len(seen),
        "duplicates": duplicates,
        "rejected": sum(1 for s in sent if s[2] not in (200, 201)),
        "decrypted_sample_ok": decrypted,
        "ingest_p50_ms": round(_pct(ingest, 0.5) * 1000, 1),
        "ingest_p95_ms": round(_pct(ingest, 0.95) * 1000, 1),
        "p50_ms": round(_pct(latencies, 0.5) * 1000, 1),
        "p95_ms": round(_pct(latencies, 0.95) * 1000, 1),
        "p99_ms": round(_pct(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=math.nan) * 1000, 1),
        "first_phone_p95_ms": round(_pct(list(first.values()), 0.95) * 1000, 1),
        "cpu_seconds": cpu,
        # CPU the API processes spent per alarm over the run (ingest, routing, delivery, their idle
        # loops): the figure to compare on a shared machine, where wall-clock latency is noise.
        "api_cpu_ms_per_alarm": round(cpu.get("api", 0.0) * 1000 / max(total, 1), 1),
        "loadavg_1m": [round(v, 2) for v in load],
        "push_answers": answers,
        "ingest_statuses": dict(Counter(str(s[2]) for s in sent)),
    }


def _cpu(inst: Installation) -> dict[str, float]:
    """CPU seconds used so far by our processes and their children (uvicorn's workers)."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for name, proc in zip(("sim", "api"), inst.procs, strict=False):
        pids = [proc.pid, *_children(proc.pid)]
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        out[name] = total
    return out


def _children(pid: int) -> list[int]:
    try:
        kids = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _children(k)]


async def _drain(sim: str, count: int, seconds: float) -> list[dict[str, Any]]:
    """Wait (polling the cheap counter, not the list) until `count` messages arrived, then fetch them."""
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(int(seconds * 5)):
            if (await client.get(f"{sim}/health")).json()["delivered"] >= count:
                break
            await asyncio.sleep(0.2)
        deliveries: list[dict[str, Any]] = (await client.get(f"{sim}/deliveries")).json()["deliveries"]
        return deliveries


def _profile_file(directory: str, mode: str) -> Path:
    path = Path(directory).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path / f"api-{mode}.prof"


def _start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A private redis-server without persistence (never the shared one)."""
    port = _port()
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL), port


async def _mode(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"tezuo-bench-{mode}-"))
    cleanup: list[Any] = []
    try:
        if mode == "inprocess":
            inst = Installation(mode, tmp, f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}", 1)
        else:
            import asyncpg

            name = f"tezuo_bench_{uuid.uuid4().hex[:8]}"
            admin = await asyncpg.connect(args.pg)
            await admin.execute(f'CREATE DATABASE "{name}"')
            cleanup.append((admin, name))
            base = args.pg.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            redis, redis_port = _start_redis(tmp)
            cleanup.append(redis)
            inst = Installation(
                mode, tmp, f"{base}/{name}", args.workers, f"redis://127.0.0.1:{redis_port}/0"
            )
        if args.profile:
            inst.profile = _profile_file(args.profile, mode)
        if args.db_pool:
            inst.extra_env["TEZUO_DB_POOL_SIZE"] = str(args.db_pool)
        try:
            return await _run(inst, args.rate, args.seconds)
        finally:
            inst.stop()
    finally:
        for item in reversed(cleanup):
            if isinstance(item, subprocess.Popen):
                item.terminate()
                item.wait(10)
            else:
                admin, name = item
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}", file=sys.stderr)


async def run(settings: Settings, ns: argparse.Namespace) -> int:
    """`tezuo bench alarms [--quick] [options]` (the registry in backend/bench.py calls this)."""
    parser = argparse.ArgumentParser(prog="tezuo bench alarms", description=__doc__)
    parser.add_argument("--modes", default="inprocess,redis", help="inprocess, redis, or both (default)")
    parser.add_argument("--rate", type=float, default=50.0, help="alarms per second (default 50)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to send (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="API workers in redis mode (default 2)")
    parser.add_argument(
        "--pg",
        default=os.environ.get("TEZUO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL admin DSN for redis mode; a throw-away database is made there",
    )
    parser.add_argument("--db-pool", type=int, help="TEZUO_DB_POOL_SIZE for the API workers")
    parser.add_argument(
        "--profile", help="directory for cProfile stats of the API process (api-MODE.prof; one worker only)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dirs and logs")
    args = parser.parse_args(list(getattr(ns, "options", [])))
    if getattr(ns, "quick", False):
        args.seconds = min(args.seconds, 2.0)
    rows = [await _mode(mode.strip(), args) for mode in args.modes.split(",") if mode.strip()]
    cols = (
        "mode",
        "database",
        "workers",
        "alarms",
        "expected",
        "delivered",
        "duplicates",
        "ingest_p50_ms",
        "ingest_p95_ms",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
        "api_cpu_ms_per_alarm",
    )
    print(
        f"tezuo bench alarms — edge ingest → push-service receipt, {args.rate:g} alarms/s"
        f" × {args.seconds:g} s, 4 phones per alarm, {os.cpu_count()} CPUs, {datetime.now(UTC):%Y-%m-%d}"
    )
    print("  ".join(f"{c:>13}" for c in cols))
    for row in rows:
        print("  ".join(f"{row[c]!s:>13}" for c in cols))
    for row in rows:
        start, end = row["loadavg_1m"]
        print(
            f"{row['mode']}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms,"
            f" API CPU {row['api_cpu_ms_per_alarm']} ms per alarm, load average {start} → {end} (1 min)"
        )
    target = all(row["p95_ms"] < 300 and row["lost"] == 0 and row["duplicates"] == 0 for row in rows)
    print(
        json.dumps({"bench": "alarms", "target_p95_ms": 300, "met": target, "runs": rows}, ensure_ascii=False)
    )
    return 0
