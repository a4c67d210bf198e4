"""Two guardians offline on the same permit: both record gas readings, one approves (signing with
the passkey on the phone), the other cancels; both come back online. The server and both screens
agree, and the refused approval is shown with the server's reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import ORG, ORG_SCRIPT, PWA_DIST, REPO, _free_port, _unavailable, _wait_healthy
from tests.e2e.harness import Phone, Server, open_phone
from tests.e2e.sync_site import PERMIT_ID

pytestmark = pytest.mark.e2e
SCREENSHOT = Path(tempfile.gettempdir()) / "tezuo-sync-rejected.png"


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real app with the test-only permit commands (tests/e2e/sync_site.py) and the built PWA."""
    if not (PWA_DIST / "index.html").is_file():
        _unavailable(f"{PWA_DIST} is not built: run `cd pwa && npm ci && npm run build` (make does this)")
    data_dir = tmp_path_factory.mktemp("tezuo-e2e-sync")
    port = _free_port()
    pwa_dir = data_dir / "pwa"
    shutil.copytree(PWA_DIST, pwa_dir)
    env = {
        **os.environ,
        "TEZUO_DATA_DIR": str(data_dir),
        "TEZUO_BASE_URL": f"http://localhost:{port}",
        "TEZUO_PWA_DIR": str(pwa_dir),
    }
    for key in ("TEZUO_DATABASE_URL", "TEZUO_REDIS_URL", "TEZUO_SECRET_KEY"):
        env.pop(key, None)
    server = Server(base_url=f"http://localhost:{port}", env=env, log=data_dir / "serve.log", pwa_dir=pwa_dir)
    server.run("migrate")
    org = json.dumps([list(unit) for unit in ORG])
    for command in (
        [sys.executable, "-c", ORG_SCRIPT, org],
        [sys.executable, "-m", "tests.e2e.sync_site", "seed"],
    ):
        done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            pytest.fail(f"{command[-2:]} failed:\n{done.stderr}")
    with server.log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.sync_site", "serve", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(proc, port, server.log)
            yield server
        finally:
            proc.terminate()
            proc.wait(10)


async def _enroll(phone: Phone, url: str) -> Page:
    page = phone.page
    await page.goto(url)
    await page.get_by_test_id("enroll-button").click()
    await expect(page.get_by_test_id("home")).to_be_visible()
    # the service worker controls the page from the next load; the permit arrives by pull
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()
    await expect(page.get_by_test_id("permit")).to_be_visible()
    await expect(page.get_by_test_id("permit-status")).to_have_attribute("data-status", "pending")
    return page


async def _record_reading(page: Page, o2: str) -> None:
    await page.get_by_test_id("gas-o2").fill(o2)
    await page.get_by_test_id("gas-record").click()


async def _readings(page: Page) -> list[str]:
    return sorted(await page.get_by_test_id("gas-reading").all_inner_texts())


async def test_two_guardians_offline_then_back(sync_server: Server, browser) -> None:
    approver_url = sync_server.add_person("王监护", "guardian@E2E-S1", "safety_officer@E2E-S1")
    leader_url = sync_server.add_person("李监护", "guardian@E2E-S1", "team_leader@E2E-W1")
    a, b = await open_phone(browser), await open_phone(browser)
    try:
        page_a, page_b = await _enroll(a, approver_url), await _enroll(b, leader_url)

        await a.context.set_offline(True)
        await b.context.set_offline(True)
        await _record_reading(page_a, "20.8")
        await page_a.get_by_test_id("permit-approve").click()  # passkey signature, no network
        await expect(page_a.get_by_test_id("sync-pending")).to_have_text("待同步 2 条")
        await expect(page_a.get_by_test_id("permit-status")).to_have_attribute("data-status", "approved")
        await _record_reading(page_b, "20.6")
        await page_b.get_by_test_id("permit-cancel").click()
        await expect(page_b.get_by_test_id("sync-pending")).to_have_text("待同步 2 条")
        await expect(page_b.get_by_test_id("permit-status")).to_have_attribute("data-status", "cancelled")

        # settled = neither "待同步" nor "同步中" (the pending badge hides while a push is in flight)
        settled = '[data-testid="sync-pending"], [data-testid="sync-state"]'
        await b.context.set_offline(False)  # the `online` event replays B's outbox
        await expect(page_b.locator(settled)).to_have_count(0)
        await a.context.set_offline(False)
        await expect(page_a.locator(settled)).to_have_count(0)

        notice = page_a.get_by_test_id("sync-notice")
        await expect(notice).to_have_count(1)
        await expect(notice).to_have_attribute("data-code", "state_changed")
        await expect(notice).to_contain_text("审批作业票未被接受")
        await expect(notice).to_contain_text("cancelled")
        await expect(page_a.get_by_test_id("permit-status")).to_have_attribute("data-status", "cancelled")

        await page_b.reload()  # B's next sync brings A's reading
        for page in (page_a, page_b):
            await expect(page.get_by_test_id("gas-reading")).to_have_count(2)
        assert await _readings(page_a) == await _readings(page_b)
        await expect(page_b.get_by_test_id("sync-notice")).to_have_count(0)
        await page_a.screenshot(path=str(SCREENSHOT), full_page=True)

        # the server holds exactly that: one cancelled permit, both readings once each
        res = await page_b.request.post(f"{sync_server.base_url}/api/sync/pull", data={"cursor": 0})
        changes = (await res.json())["changes"]
        permit = next(c for c in changes if c["entity_id"] == str(PERMIT_ID))
        assert permit["data"]["status"] == "cancelled" and permit["data"]["approved_by"] is None
        readings = [c["data"] for c in changes if c["entity"] == "gas_reading"]
        assert sorted(r["o2_pct"] for r in readings) == [20.6, 20.8]
    finally:
        await a.context.close()
        await b.context.close()
