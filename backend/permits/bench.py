"""`tezuo bench permits`: signed approval round trips at 50 concurrent approvers, and grading throughput."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from backend.config import Settings

APPROVERS = 50
PERMITS_PER_APPROVER = 4
PROFILED = 20  # approvals made one at a time first, to count statements and server CPU per approval
THINK_SECONDS = (2.0, 6.0)  # between two signatures of one approver (reading the next permit, walking)


def _b64u(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """A passkey held in memory: the bench's stand-in for a phone's authenticator (P-256, flags UP|UV)."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.count = 0

    def cose(self) -> bytes:
        n = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")})

    def assert_(self, rp_id: str, origin: str, challenge: str) -> dict[str, Any]:
        self.count += 1
        auth = hashlib.sha256(rp_id.encode()).digest() + bytes([0x05]) + struct.pack(">I", self.count)
        client = json.dumps({"type": "webauthn.get", "challenge": challenge, "origin": origin}).encode()
        sig = self.key.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": _b64u(self.credential_id),
            "rawId": _b64u(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": _b64u(client),
                "authenticatorData": _b64u(auth),
                "signature": _b64u(sig),
                "userHandle": None,
            },
            "clientExtensionResults": {},
        }


async def _plant(
    settings: Settings, now: datetime, approvers: int, per_crew: int, profile: int
) -> list[dict[str, Any]]:
    """One workshop per approver pair, each with a hazard-free area and a submitted 二级 hot-work permit."""
    from backend.auth.models import Passkey
    from backend.auth.service import open_session, principal_of
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.org.models import Area
    from backend.org.service import create_unit
    from backend.people import service as people
    from backend.permits import service as permits
    from backend.permits.catalogue import policy
    from backend.permits.grading import Facts
    from backend.permits.schemas import PermitCreate

    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    cipher = people.id_cipher(settings.secret_key)
    pol = policy(settings.data_dir)
    crews = []
    serial = iter(range(10**6))

    def idn() -> str:
        from backend.people.idnumber import check_char

        n = next(serial)
        body = f"32010219{80 + n // 336 % 20:02d}{1 + n // 28 % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        return body + check_char(body)

    async with transaction(maker) as db:
        ent = await create_unit(db, "enterprise", "BENCH", "基准企业", None)
        site = await create_unit(db, "site", "B-S", "基准厂区", ent)
        for i in range(approvers):
            ws = await create_unit(db, "workshop", f"B-W{i}", f"车间{i}", site)
            team = await create_unit(db, "team", f"B-W{i}-T", f"班组{i}", ws)
            poly = [[100 + i * 20, 100], [110 + i * 20, 100], [110 + i * 20, 110], [100 + i * 20, 110]]
            gps = [[118.7 + p[0] * 1e-5, 32.2 - p[1] * 1e-5] for p in poly]
            area = Area(
                site_id=site.id, workshop_id=ws.id, code=f"B-A{i}", name=f"区域{i}", hazard_class="general",
                plan_polygon=poly, gps_polygon=gps, escape_route=[], scope_path=site.path,
            )  # fmt: skip
            db.add(area)
            crew: dict[str, Any] = {"area": area, "gps": gps}
            for role, unit in (
                ("team_leader", team),
                ("safety_officer", ws),
                ("guardian", ws),
                ("worker", team),
            ):
                person = await people.create_person(db, cipher, name=f"{role}{i}", id_number=idn(), unit=unit)
                await people.grant_role(db, person, role, unit)
                signer = Signer()
                db.add(
                    Passkey(person_id=person.id, credential_id=signer.credential_id, public_key=signer.cose())
                )
                token = await open_session(db, person.id, None, now, 12)
                crew[role] = {"person": person, "signer": signer, "cookie": f"tezuo_session={token}"}
            await db.flush()
            await _welding_certificate(db, settings, crew["worker"]["person"], now)
            crews.append(crew)
    async with transaction(maker) as db:
        for index, crew in enumerate(crews):
            leader = crew["team_leader"]["person"]
            who = await principal_of(db, leader)
            # Next Monday 10:00 China time: a weekday day shift, so the grade is 二级 whenever the bench runs.
            monday = (now + timedelta(days=7 - now.weekday())).date()
            start = datetime(monday.year, monday.month, monday.day, 2, 0, tzinfo=UTC)
            data = PermitCreate(
                work_type="hot_work",
                area_id=crew["area"].id,
                content="基准测试动火",
                planned_start=start,
                planned_end=start + timedelta(hours=4),
                guardian_id=crew["guardian"]["person"].id,
                operator_ids=[crew["worker"]["person"].id],
                form={"location_detail": "x", "fire_method": "电焊", "risk_identification": "火灾"},
                facts=Facts(),
                submit=True,
            )
            crew["permits"] = [(await permits.create(db, who, data, now, pol)).id for _ in range(per_crew)]
            if index < profile:  # one more, approved one at a time by the profile phase
                crew["spare"] = (await permits.create(db, who, data, now, pol)).id
    await engine.dispose()
    return crews


async def _open(client: Any, crew: dict[str, Any], role: str, permit: Any) -> dict[str, Any]:
    """The approver opens the request (untimed: they read it before deciding)."""
    res = await client.get(f"/api/permits/{permit}", headers={"cookie": crew[role]["cookie"]})
    if res.status_code != 200:
        raise RuntimeError(f"open failed: {res.status_code} {res.text}")
    return dict(res.json())


async def _round_trip(
    client: Any, settings: Settings, crew: dict[str, Any], role: str, opened: dict[str, Any]
) -> float:
    """What the PWA does to approve (pages/PermitView.tsx): build the canonical decision from the
    permit it shows (revision, content hash), sign its SHA-256 with the passkey, send one request."""
    from backend.permits.approvals import canonical_decision, challenge_of
    from backend.permits.schemas import Location

    me = crew[role]
    lon = sum(p[0] for p in crew["gps"]) / 4
    lat = sum(p[1] for p in crew["gps"]) / 4
    location = Location(lat_e6=round(lat * 1e6), lon_e6=round(lon * 1e6), accuracy_m=5)
    started = time.perf_counter()
    body = {
        "step": f"s1.{role}",
        "decision": "approve",
        "comment": "",
        "location": msgspec.to_builtins(location),
        "signed_at": datetime.now(UTC).isoformat(),
        "permit_version": opened["revision"],
        "content_sha256": opened["content_sha256"],
    }
    canonical = canonical_decision(
        permit_id=opened["id"],
        permit_version=body["permit_version"],
        content_sha256=body["content_sha256"],
        step=body["step"],
        decision="approve",
        comment="",
        location=location,
        signed_at=body["signed_at"],
    )
    credential = me["signer"].assert_(settings.rp_id, settings.origin, _b64u(challenge_of(canonical)))
    res = await client.post(
        f"/api/permits/{opened['id']}/decisions",
        json={**body, "credential": credential},
        headers={"cookie": me["cookie"]},
    )
    elapsed = time.perf_counter() - started
    if res.status_code != 200:
        raise RuntimeError(f"approval failed: {res.status_code} {res.text}")
    return elapsed


async def _welding_certificate(db: Any, settings: Settings, person: Any, now: datetime) -> None:
    """Hot work needs 熔化焊接与热切割作业: the operator holds a valid certificate (qualifications)."""
    from backend.workers import service as workers

    ctx = workers.context(db, settings, now)
    holder = ctx.ciphers.id_number.decrypt(person.id_number_enc)
    data = workers.CertificateInput(
        item_key="mem:02-01", number="T" + holder, issued_on=ctx.today - timedelta(days=100)
    )
    await workers.add_certificate(ctx, person, data)


def _grading_rate(seconds: float = 2.0) -> tuple[int, float]:
    from backend.permits.catalogue import policy
    from backend.permits.grading import GradeRequest, grade

    pol = policy()
    requests = [
        GradeRequest(work_type="hot_work", hazard_class="fire_class_a", running_equipment=True),
        GradeRequest(work_type="hot_work", night=True),
        GradeRequest(work_type="work_at_height", height_m=18, height_factors=["gust_force_5"]),
        GradeRequest(work_type="lifting", mass_t=60),
        GradeRequest(work_type="confined_space"),
        GradeRequest(work_type="scaffolding"),
    ]
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for r in requests:
            grade(r, pol)
        count += len(requests)
    return count, time.perf_counter() - started


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _steady(
    client: Any, settings: Settings, crew: dict[str, Any], seed: int, think: tuple[float, float]
) -> list[float]:
    """One approver working through their permits with human think time between signatures."""
    rng = random.Random(seed)
    out = []
    for permit in crew["permits"]:
        opened = await _open(client, crew, "safety_officer", permit)
        await asyncio.sleep(rng.uniform(*think))
        out.append(await _round_trip(client, settings, crew, "safety_officer", opened))
    return out


class Meter:
    """Wraps the app: SQL statements and server CPU of each decision request, while `on`.

    Meant for requests made one at a time (the profile phase): the process's CPU time between a
    request's arrival and its last byte is then that request's (plus whatever the app's own
    timers ran meanwhile). Statements are the request's own, counted at the driver
    (`before_cursor_execute` in the request's task: BEGIN IMMEDIATE included, the driver's own
    BEGIN and COMMIT not)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.on = False
        self.statements = 0
        self.samples: list[tuple[float, int]] = []  # (CPU seconds, statements) per decision
        self.task: asyncio.Task[Any] | None = None

    def count(self, *_: Any) -> None:
        if self.task is not None and asyncio.current_task() is self.task:
            self.statements += 1

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not (self.on and scope["type"] == "http" and scope["path"].endswith("/decisions")):
            return await self.app(scope, receive, send)
        cpu, statements = time.process_time(), self.statements
        self.task = asyncio.current_task()
        try:
            await self.app(scope, receive, send)
        finally:
            self.task = None
        self.samples.append((time.process_time() - cpu, self.statements - statements))


async def _profile(
    client: Any, settings: Settings, crews: list[dict[str, Any]], meter: Meter
) -> dict[str, float]:
    """Sequential approvals on a warm server: statements and server CPU-ms per approval."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", meter.count)
    try:
        for i, crew in enumerate(crews):
            opened = await _open(client, crew, "safety_officer", crew["spare"])
            meter.on = i > 0  # the first one warms caches (policy, catalogue, compiled statements)
            await _round_trip(client, settings, crew, "safety_officer", opened)
            meter.on = False
    finally:
        event.remove(Engine, "before_cursor_execute", meter.count)
    cpu = sorted(c * 1000 for c, _ in meter.samples)
    return {
        "profiled": len(meter.samples),
        "statements_per_approval": round(statistics.mean(n for _, n in meter.samples), 1),
        "server_cpu_ms_p50": round(statistics.median(cpu), 2),
        "server_cpu_ms_mean": round(statistics.mean(cpu), 2),
    }


async def _serve(settings: Settings) -> tuple[Any, asyncio.Task[None], int, Meter]:
    """The app under uvicorn on a loopback port, in this process: the embedded single-worker shape."""
    import uvicorn

    from backend.app import create_app

    meter = Meter(create_app(settings))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        # keep-alive longer than the think time, so the client never reuses a connection the
        # server is closing (an httpx.ReadError that is the bench's race, not the app's)
        uvicorn.Config(meter, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=60)
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):  # up to 10 s
        if server.started:
            break
        await asyncio.sleep(0.05)
    return server, task, port, meter


def _spawn_server(settings: Settings, tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`tezuo serve` (one uvicorn worker) on the bench's database, in its own process: the phones'
    work (signing, HTTP client) must not share the server's event loop, as it never does in use."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = dict(os.environ) | {
        "TEZUO_DATA_DIR": str(settings.data_dir),
        "TEZUO_DATABASE_URL": settings.database_url,
        "TEZUO_SECRET_KEY": settings.secret_key.decode(),
        "TEZUO_BASE_URL": settings.base_url,
        "TEZUO_PWA_DIR": str(tmp / "none"),
    }
    tezuo = str(Path(sys.executable).with_name("tezuo"))
    args = [tezuo, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    log = (tmp / "serve.log").open("ab")
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT), port


async def _healthy(client: Any, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):  # up to 30 s
        if proc.poll() is not None:
            raise RuntimeError(f"tezuo serve exited with {proc.returncode}")
        try:
            if (await client.get("/api/health")).status_code == 200:
                return
        except httpx_errors():
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("tezuo serve did not become healthy in 30 s")


def httpx_errors() -> tuple[type[Exception], ...]:
    import httpx

    return (httpx.TransportError,)


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stats(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(_pct(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
    }


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """50 approvers over HTTP on SQLite: steady (think time between signatures) and a burst (all at once)."""
    import httpx

    from backend.core.heap import freeze_startup_heap
    from backend.db import migrate

    quick = getattr(args, "quick", False)
    approvers, per_crew = (10, 1) if quick else (APPROVERS, PERMITS_PER_APPROVER)
    profiled = approvers if quick else PROFILED
    think = (0.0, 0.2) if quick else THINK_SECONDS
    logging.getLogger("httpx").setLevel(logging.WARNING)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tezuo-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        bench = msgspec.structs.replace(
            settings, database_url=url, data_dir=Path(tmp), pwa_dir=Path(tmp) / "none"
        )
        await asyncio.to_thread(migrate.upgrade, url)
        crews = await _plant(bench, datetime.now(UTC), approvers, per_crew, profiled)
        server, task, port, meter = await _serve(bench)
        limits = httpx.Limits(max_connections=approvers * 2, max_keepalive_connections=approvers * 2)
        try:  # profile: one request at a time against the app in this process (statements, CPU)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                profile = await _profile(client, bench, crews[: profiled // 2], meter)
        finally:
            server.should_exit = True
            await task
        proc, port = _spawn_server(bench, Path(tmp))
        try:  # steady and burst: the phones here, the server in its own process
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
            ) as client:
                await _healthy(client, proc)
                for crew in crews[profiled // 2 : profiled]:  # warm the new process's code paths
                    warm = await _open(client, crew, "safety_officer", crew["spare"])
                    await _round_trip(client, bench, crew, "safety_officer", warm)
                freeze_startup_heap()  # the phones' full GC passes would be counted as server latency
                started, cpu, server_cpu = time.perf_counter(), time.process_time(), _cpu_of(proc.pid)
                runs = await asyncio.gather(
                    *(_steady(client, bench, c, i, think) for i, c in enumerate(crews))
                )
                steady = [x for xs in runs for x in xs]
                steady_wall = time.perf_counter() - started
                steady_cpu, steady_server_cpu = time.process_time() - cpu, _cpu_of(proc.pid) - server_cpu
                opened = [await _open(client, c, "team_leader", c["permits"][0]) for c in crews]
                burst = await asyncio.gather(
                    *(
                        _round_trip(client, bench, c, "team_leader", o)
                        for c, o in zip(crews, opened, strict=True)
                    )
                )
        finally:
            proc.terminate()
            proc.wait(10)
        graded, seconds = _grading_rate(0.5 if quick else 2.0)
    s, b = _stats(steady), _stats(list(burst))
    figures = {
        "bench": "permits",
        "database": "sqlite",
        "approvers": approvers,
        "approval_p50_ms": s["p50_ms"],
        "approval_p99_ms": s["p99_ms"],
        "approval_max_ms": s["max_ms"],
        "approvals": len(steady),
        "approvals_per_s": round(len(steady) / steady_wall, 1),
        "burst_p50_ms": b["p50_ms"],
        "burst_p99_ms": b["p99_ms"],
        **profile,
        # over the steady phase, opens included: the server process, and the phones' (this process)
        "steady_server_cpu_ms_per_approval": round(steady_server_cpu * 1000 / len(steady), 2),
        "steady_client_cpu_ms_per_approval": round(steady_cpu * 1000 / len(steady), 2),
        "grading_per_s": round(graded / seconds),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print("tezuo bench permits — signed approval round trip = canonical decision built on the phone +")
    print("P-256 assertion + POST …/decisions (the PWA's one request; the permit was opened before),")
    print(
        f"over HTTP to `tezuo serve` (one uvicorn worker, its own process) on SQLite; {approvers} approvers,"
    )
    print(f"think time {think} s (the phones: this process);")
    print(f"burst = all {approvers} team leaders sign at the same instant; profile = {profiled} approvals")
    print("one at a time: SQL statements and server CPU per decision request")
    print(f"{'figure':<36}{'value':>14}")
    for key, value in figures.items():
        if key not in ("bench", "database"):
            print(f"{key:<36}{value!s:>14}")
    print(json.dumps(figures))
    return 0
