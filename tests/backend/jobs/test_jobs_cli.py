"""`tezuo scheduler` fires the built-in purge, and Ctrl-C stops it cleanly with the lease released."""

from __future__ import annotations

import argparse
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from backend.config import Settings
from backend.db import migrate
from backend.jobs.cli import register

# What `tezuo scheduler` runs once backend/cli.py registers the subcommand.
ENTRY = """
import argparse, sys
from backend.config import load_settings
from backend.jobs.cli import register
parser = argparse.ArgumentParser(prog="tezuo")
register(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args, load_settings()))
"""


def _database(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "tezuo.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url)
    return url, path


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=url,
        redis_url=None,
        base_url="http://localhost:8000",
        secret_key=b"k",
        pwa_dir=tmp_path / "none",
    )


def test_scheduler_once_fires_todays_purge(tmp_path):
    url, path = _database(tmp_path)
    parser = argparse.ArgumentParser(prog="tezuo")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["scheduler", "--once", "--owner", "test"])

    assert args.func(args, _settings(tmp_path, url)) == 0

    today = datetime.now(UTC).date().isoformat()
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT dedupe_key, status FROM timers"))
        leases = db.execute("SELECT count(*) FROM scheduler_leases").fetchone()[0]
    assert rows[f"jobs.purge_expired_auth:{today}"] == "done"
    assert sorted(rows.values()) == ["done", "pending"]  # and tomorrow's is armed
    assert leases == 0


def test_ctrl_c_stops_the_loop_and_releases_the_lease(tmp_path):
    url, path = _database(tmp_path)
    env = {
        "TEZUO_DATABASE_URL": url,
        "TEZUO_DATA_DIR": str(tmp_path),
        "TEZUO_SECRET_KEY": "k",
        "PATH": "/usr/bin:/bin",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "scheduler", "--poll", "0.2", "--owner", "cli-test"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        held = False
        while time.monotonic() < deadline and not held:
            time.sleep(0.1)
            with sqlite3.connect(path) as db:
                held = db.execute("SELECT owner FROM scheduler_leases").fetchone() == ("cli-test",)
        assert held, "scheduler never took the lease"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert "released the lease" in stderr
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM scheduler_leases").fetchone()[0] == 0
