"""`tezuo bench sync`: N devices × M offline ops pushed concurrently over HTTP, then PouchDB.

For each database (SQLite, PostgreSQL): a fresh database at `alembic upgrade head`, a real
`uvicorn` serving the app on 127.0.0.1, N signed-in devices that recorded M contact changes
each while offline. Measured: ops/s of the concurrent pushes, p95 latency of one push request,
and the time until every device has pulled and holds the server's state. Then the very same ops,
one document each, are replicated by PouchDB into a pouchdb-server (LevelDB on disk) on
loopback (bench/pouchdb), and the ratio is printed. Last line: one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from backend.config import Settings

REPO = Path(__file__).resolve().parents[2]
POUCH_DIR = REPO / "bench" / "pouchdb"
DEFAULT_PG = os.environ.get("TEZUO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
T0 = 1_795_852_800_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


class HttpTransport:
    """`sync.client.Transport` over HTTP, timing every push request."""

    def __init__(self, client: Any, latencies: list[float]):
        self.client = client
        self.latencies = latencies

    async def push(self, request: Any) -> Any:
        from sync.messages import PushResponse

        started = time.perf_counter()
        res = await self.client.post("/api/sync/push", content=msgspec.json.encode(request))
        self.latencies.append(time.perf_counter() - started)
        res.raise_for_status()
        return msgspec.json.decode(res.content, type=PushResponse)

    async def pull(self, request: Any) -> Any:
        from sync.messages import PullResponse

        res = await self.client.post("/api/sync/pull", content=msgspec.json.encode(request))
        res.raise_for_status()
        return msgspec.json.decode(res.content, type=PullResponse)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The app under uvicorn on loopback, one worker, as `tezuo serve` runs it."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "backend.cli:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
    ]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, env=env, cwd=REPO)


async def _database(kind: str, tmp: Path, pg_url: str) -> tuple[str, Any]:
    """A fresh database URL and how to drop it."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}", None
    import asyncpg

    name = f"tezuo_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(pg_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = pg_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", (admin, name)


async def _seed(url: str, devices: int, secret: bytes) -> list[tuple[uuid.UUID, str]]:
    """An org, one worker per device, and a session for each: (person id, session token)."""
    from backend.auth.service import open_session
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.org.service import create_unit
    from backend.people import service as people
    from backend.people.idnumber import check_char

    engine = make_engine(url)
    people_out = []
    async with transaction(make_sessionmaker(engine)) as db:
        ent = await create_unit(db, "enterprise", "BENCH", "基准企业", None)
        site = await create_unit(db, "site", "BENCH-S", "基准厂区", ent)
        ws = await create_unit(db, "workshop", "BENCH-W", "基准车间", site)
        team = await create_unit(db, "team", "BENCH-T", "基准班组", ws)
        for n in range(devices):
            body = f"32010219900101{n:03d}"  # valid GB 11643 numbers, one per bench worker
            person = await people.create_person(
                db, people.id_cipher(secret), name=f"工人{n}", id_number=body + check_char(body), unit=team
            )
            await people.grant_role(db, person, "worker", team)
            token = await open_session(db, person.id, None, datetime.now(UTC), 8)
            people_out.append((person.id, token))
    await engine.dispose()
    return people_out


def _record_offline(devices: list[tuple[uuid.UUID, str]], ops: int) -> list[Any]:
    from sync.client import SyncClient

    clients = []
    for n, (person_id, _) in enumerate(devices):
        ticks = iter(range(T0 + n, T0 + n + ops * 1000, 1000))  # one op a second, offline
        client = SyncClient(uuid.uuid4(), person_id, functools.partial(next, ticks, T0 + ops * 1000))
        for i in range(ops):
            fields = {"phone": f"139{n:02d}{i:06d}"} if i % 4 else {"locale": "en" if i % 8 else "zh-CN"}
            client.record("worker.update_contact", "person", person_id, fields, base_version=1)
        clients.append(client)
    return clients


async def run_sync(
    kind: str, devices: int, ops: int, batch: int, pg_url: str
) -> tuple[dict[str, Any], list[Any]]:
    """One database: push everything concurrently, then pull until every device converged."""
    import httpx

    from backend.db import migrate

    tmp = Path(tempfile.mkdtemp(prefix=f"tezuo-bench-{kind}-"))
    url, drop = await _database(kind, tmp, pg_url)
    server = None
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        secret = b"bench-secret-key-not-for-production"
        cast = await _seed(url, devices, secret)
        port = _free_port()
        env = {
            **os.environ,
            "TEZUO_DATABASE_URL": url,
            "TEZUO_DATA_DIR": str(tmp),
            "TEZUO_BASE_URL": f"http://localhost:{port}",
            "TEZUO_SECRET_KEY": secret.decode(),
            "TEZUO_PWA_DIR": str(tmp / "no-pwa"),
        }
        server = _serve(env, port)
        _wait_http(f"http://127.0.0.1:{port}/api/health", server)
        clients = _record_offline(cast, ops)
        all_ops = [[p.op for p in c.outbox.values()] for c in clients]
        latencies: list[float] = []
        transports = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            for _, token in cast:
                headers = {"cookie": f"tezuo_session={token}", "content-type": "application/json"}
                session = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120)
                transports.append(HttpTransport(session, latencies))
            started = time.perf_counter()
            await asyncio.gather(*(c.push(t, batch) for c, t in zip(clients, transports, strict=True)))
            pushed = time.perf_counter() - started
            started = time.perf_counter()
            await asyncio.gather(*(c.pull(t) for c, t in zip(clients, transports, strict=True)))
            converged = time.perf_counter() - started
            for t in transports:
                await t.client.aclose()
            await http.aclose()
        _check_converged(clients, all_ops)
        latencies.sort()
        figures = {
            "ops": devices * ops,
            "ops_per_s": round(devices * ops / pushed),
            "push_seconds": round(pushed, 3),
            "p50_push_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_push_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
            "converge_seconds": round(converged, 3),
        }
        return figures, all_ops
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if drop is not None:
            await drop[0].execute(f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')
            await drop[0].close()
        shutil.rmtree(tmp, ignore_errors=True)


def _check_converged(clients: list[Any], all_ops: list[list[dict[str, Any]]]) -> None:
    """Every op decided, nothing left pending, each device holds its person's last phone."""
    for client, ops in zip(clients, all_ops, strict=True):
        if client.outbox:
            raise RuntimeError(f"device {client.device_id} still has {len(client.outbox)} pending ops")
        if len(client.results) != len(ops):
            raise RuntimeError("not every op got a result")
        last_phone = next(op["args"]["phone"] for op in reversed(ops) if "phone" in op["args"])
        _, data = client.entities[("person", client.person_id)]
        if data["phone"] != last_phone:
            raise RuntimeError(f"device {client.device_id} did not converge: {data['phone']} != {last_phone}")


def run_pouchdb(all_ops: list[list[dict[str, Any]]], batch: int) -> dict[str, Any]:
    """The same ops as documents, replicated by PouchDB into pouchdb-server (LevelDB) on loopback."""
    if not (POUCH_DIR / "node_modules" / ".bin" / "pouchdb-server").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=POUCH_DIR, check=True)
    tmp = Path(tempfile.mkdtemp(prefix="tezuo-bench-pouchdb-"))
    port = _free_port()
    command = [str(POUCH_DIR / "node_modules" / ".bin" / "pouchdb-server"), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--dir", str(tmp / "data"), "--no-stdout-logs"]
    server = subprocess.Popen(command, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", server)
        ops_file = tmp / "ops.json"
        ops_file.write_bytes(msgspec.json.encode(all_ops))
        command = ["node", "replicate.mjs", "--url", f"http://127.0.0.1:{port}/ops", "--ops", str(ops_file)]
        done = subprocess.run(
            [*command, "--batch", str(batch)], cwd=POUCH_DIR, capture_output=True, text=True, check=True
        )
        out = json.loads(done.stdout.strip().splitlines()[-1])
        docs = sum(len(ops) for ops in all_ops)
        if out["docs"] != docs:
            raise RuntimeError(f"pouchdb-server holds {out['docs']} docs, expected {docs}")
        return {
            "docs": docs,
            "docs_per_s": round(docs / out["push_seconds"]),
            "push_seconds": round(out["push_seconds"], 3),
            "pull_seconds": round(out["pull_seconds"], 3),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


async def _pg_reachable(pg_url: str) -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(pg_url, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tezuo bench sync", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--devices", type=int, default=10)
    parser.add_argument("--ops", type=int, default=1000, help="offline ops per device")
    parser.add_argument("--batch", type=int, default=100, help="ops per request (PouchDB's batch_size too)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a PostgreSQL the bench may create databases on")
    parser.add_argument("--no-pouchdb", action="store_true", help="skip the PouchDB comparison")
    return parser


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """`tezuo bench sync [--quick] [options]` (backend/bench.py); `--quick` is 2 devices × 50 ops."""
    opts = _parser().parse_args(getattr(args, "options", []))
    if getattr(args, "quick", False):
        opts.devices, opts.ops = min(opts.devices, 2), min(opts.ops, 50)
    figures: dict[str, Any] = {"devices": opts.devices, "ops_per_device": opts.ops, "batch": opts.batch}
    all_ops: list[list[dict[str, Any]]] = []
    for kind in opts.databases.split(","):
        if kind == "postgresql" and not await _pg_reachable(opts.pg_url):
            print(f"PostgreSQL not reachable at {opts.pg_url}: skipped", file=sys.stderr)
            continue
        figures[kind], ops = await run_sync(kind, opts.devices, opts.ops, opts.batch, opts.pg_url)
        all_ops = all_ops or ops
    if not opts.no_pouchdb and all_ops:
        figures["pouchdb"] = await asyncio.to_thread(run_pouchdb, all_ops, opts.batch)
        pouch = figures["pouchdb"]["docs_per_s"]
        for kind in ("sqlite", "postgresql"):
            if kind in figures:
                figures[f"{kind}_vs_pouchdb"] = round(figures[kind]["ops_per_s"] / pouch, 2)
    _print(figures, opts)
    return 0


def _print(figures: dict[str, Any], opts: argparse.Namespace) -> None:
    print(f"tezuo bench sync: {opts.devices} devices × {opts.ops} offline ops, {opts.batch} per request")
    print(f"{'':12} {'ops/s':>8} {'push s':>8} {'p50 ms':>8} {'p95 ms':>8} {'converge s':>11}")
    for kind in ("sqlite", "postgresql"):
        if kind in figures:
            f = figures[kind]
            print(
                f"{kind:12} {f['ops_per_s']:>8} {f['push_seconds']:>8} {f['p50_push_ms']:>8} "
                f"{f['p95_push_ms']:>8} {f['converge_seconds']:>11}"
            )
    if "pouchdb" in figures:
        f = figures["pouchdb"]
        blank = ""
        print(
            f"{'pouchdb':12} {f['docs_per_s']:>8} {f['push_seconds']:>8} {blank:>17} {f['pull_seconds']:>11}"
        )
        for kind in ("sqlite", "postgresql"):
            if f"{kind}_vs_pouchdb" in figures:
                print(f"{kind} / pouchdb: {figures[f'{kind}_vs_pouchdb']}×")
    print(json.dumps(figures, ensure_ascii=False))
