"""e2e fixtures: a real `tezuo serve` with the built PWA, and Debian's Chromium with a virtual passkey."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from backend.push.simulator import PushSimulator
from tests.e2e.harness import TEZUO, Phone, Server, open_phone

REPO = Path(__file__).resolve().parents[2]
PWA_DIST = REPO / "pwa" / "dist"
IN_CI = os.environ.get("CI") == "true"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# enterprise → site → workshop → team; the test person works in the team and inspects the whole site.
ORG = [
    ("enterprise", "E2E", "特作化工集团", None),
    ("site", "E2E-S1", "一号厂区", "E2E"),
    ("workshop", "E2E-W1", "焊接车间", "E2E-S1"),
    ("team", "E2E-T1", "焊接一班", "E2E-W1"),
    # a second site whose ledger only the qualifications test fills (it counts the site's rows)
    ("site", "E2E-S2", "二号厂区", "E2E"),
    ("workshop", "E2E-W2", "检修车间", "E2E-S2"),
    ("team", "E2E-T2", "检修一班", "E2E-W2"),
]
ORG_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from backend.config import load_settings
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.org.service import create_unit

    async def main():
        engine = make_engine(load_settings().database_url)
        units = {}
        async with transaction(make_sessionmaker(engine)) as db:
            for kind, code, name, parent in json.loads(sys.argv[1]):
                units[code] = await create_unit(db, kind, code, name, units.get(parent))
        await engine.dispose()

    asyncio.run(main())
    """
)


def _unavailable(reason: str) -> None:
    """Missing prerequisites fail CI loudly and skip on a developer machine."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"tezuo serve exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    pytest.fail(f"tezuo serve not healthy after 30 s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def _serving(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """A migrated SQLite database with a small org, served with the built PWA on a free port."""
    if not (PWA_DIST / "index.html").is_file():
        _unavailable(f"{PWA_DIST} is not built: run `cd pwa && npm ci && npm run build` (make does this)")
    port = _free_port()
    base_url = f"http://localhost:{port}"  # a host name, not an IP: WebAuthn's rp id must be a domain
    pwa_dir = data_dir / "pwa"
    shutil.copytree(PWA_DIST, pwa_dir)
    env = {
        **os.environ,
        "TEZUO_DATA_DIR": str(data_dir),
        "TEZUO_BASE_URL": base_url,
        "TEZUO_PWA_DIR": str(pwa_dir),
    }
    for key in ("TEZUO_DATABASE_URL", "TEZUO_REDIS_URL", "TEZUO_SECRET_KEY"):
        env.pop(key, None)  # the embedded default: SQLite in the data dir, key generated there
    env.update(extra_env or {})
    log = data_dir / "serve.log"
    server = Server(base_url=base_url, env=env, log=log, pwa_dir=pwa_dir)
    server.run("migrate")
    org = [[kind, code, name, parent] for kind, code, name, parent in ORG]
    done = subprocess.run(
        [sys.executable, "-c", ORG_SCRIPT, json.dumps(org)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        pytest.fail(f"creating the org failed:\n{done.stderr}")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [TEZUO, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(proc, port, log)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shared server, with production settings."""
    with _serving(tmp_path_factory.mktemp("tezuo-e2e")) as served:
        yield served


@pytest.fixture(scope="module")
def short_exam_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own whose practical-exam minimum is 2 s (TEZUO_EXAM_MIN_SECONDS), so a
    test can record a short exam; the shared server keeps the production 180 s."""
    with _serving(tmp_path_factory.mktemp("tezuo-e2e-exam"), {"TEZUO_EXAM_MIN_SECONDS": "2"}) as served:
        yield served


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if not executable:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest_asyncio.fixture(loop_scope="session")
async def phone(browser: Browser) -> AsyncIterator[Phone]:
    phone = await open_phone(browser)
    yield phone
    await phone.context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests race Chromium's service worker and timers on a loaded 2-core machine: a
    failure is retried twice (pytest-rerunfailures) before it counts; backend tests get no retries."""
    for item in items:
        if item.get_closest_marker("e2e") or "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))


@pytest_asyncio.fixture(loop_scope="session")
async def push_service() -> AsyncIterator[PushSimulator]:
    """The loopback Web Push service (RFC 8030/8291) the tests' phones subscribe to."""
    sim = PushSimulator()
    await sim.start()
    yield sim
    await sim.close()
