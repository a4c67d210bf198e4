"""`tezuo serve` as a real process, on SQLite and on PostgreSQL: enroll, sign in, scoped reads."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from backend.auth.service import issue_enrollment
from backend.db.engine import transaction
from tests.backend.auth.authenticator import SoftAuthenticator
from tests.factories import make_org, make_person

TEZUO = str(Path(sys.executable).with_name("tezuo"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    base = f"http://localhost:{port}"
    env = {
        **os.environ,
        "TEZUO_DATA_DIR": str(tmp_path),
        "TEZUO_DATABASE_URL": database_url,
        "TEZUO_BASE_URL": base,
        "TEZUO_SECRET_KEY": "serve-test-secret",
    }
    proc = subprocess.Popen(
        [TEZUO, "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"tezuo serve did not start: {proc.stdout.read(4000) if proc.stdout else ''!r}")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


async def test_served_app_signs_in_and_guards(server, sessionmaker, database_url):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        inspector = await make_person(
            db, b"serve-test-secret", org.team_a, "冯巡检", [("inspector", org.site_a)]
        )
        other = await make_person(db, b"serve-test-secret", org.team_b, "陈焊工")
        code, _ = await issue_enrollment(db, inspector.id, datetime.now(UTC), timedelta(hours=1))
    auth = SoftAuthenticator(origin=server)
    async with httpx.AsyncClient(base_url=server) as client:
        health = (await client.get("/api/health")).json()
        assert health["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
        opts = (await client.post("/api/auth/enroll/options", json={"code": code})).json()
        res = await client.post(
            "/api/auth/enroll/verify",
            json={
                "challenge_id": opts["challenge_id"],
                "code": code,
                "credential": auth.create(opts["options"]),
            },
        )
        assert res.status_code == 200, res.text
        client.cookies.clear()
        opts = (await client.post("/api/auth/login/options")).json()
        res = await client.post(
            "/api/auth/login/verify",
            json={"challenge_id": opts["challenge_id"], "credential": auth.get(opts["options"])},
        )
        assert res.status_code == 200 and res.json()["home_tabs"] == ["inspector"]
        assert (await client.get(f"/api/people/{other.id}")).status_code == 403
        assert (await client.get(f"/api/org/units/{org.site_a.id}")).json()["name"] == "一厂区"


def test_the_serve_factory_freezes_its_start_up_heap(tmp_path: Path) -> None:
    """Each worker's app factory moves the start-up heap out of the collector's reach, so a full
    collection scans only request garbage (docs/BENCHMARKS.md, permits: the p99 was GC pauses)."""
    env = {
        **os.environ,
        "TEZUO_DATA_DIR": str(tmp_path),
        "TEZUO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        "TEZUO_SECRET_KEY": "serve-test-secret",
    }
    code = (
        "import gc; from backend.cli import app_from_env; before = gc.get_freeze_count(); "
        "app_from_env(); print(before, gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split()[-2:])
    assert before == 0 and after > 100_000, (before, after)
