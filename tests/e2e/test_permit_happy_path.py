"""The permit happy path on phones: apply → passkey approvals → the guardian's e-permit → start → complete."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, Page, expect

from backend.demo.plan import plan_demo
from tests.e2e.conftest import PWA_DIST, _free_port, _unavailable, _wait_healthy
from tests.e2e.harness import TEZUO, Phone, Server, open_phone

pytestmark = pytest.mark.e2e
AREA = "聚合后处理厂房"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    """The demo plant served with the built PWA; returns the one-time links of its accounts."""
    if not (PWA_DIST / "index.html").is_file():
        _unavailable(f"{PWA_DIST} is not built: run `cd pwa && npm ci && npm run build`")
    data_dir = tmp_path_factory.mktemp("tezuo-permits-e2e")
    port = _free_port()
    base_url = f"http://localhost:{port}"
    pwa_dir = data_dir / "pwa"
    shutil.copytree(PWA_DIST, pwa_dir)
    env = {
        **os.environ,
        "TEZUO_DATA_DIR": str(data_dir),
        "TEZUO_BASE_URL": base_url,
        "TEZUO_PWA_DIR": str(pwa_dir),
    }
    for key in ("TEZUO_DATABASE_URL", "TEZUO_REDIS_URL", "TEZUO_SECRET_KEY", "TEZUO_PERMIT_POLICY"):
        env.pop(key, None)
    log = data_dir / "serve.log"
    server = Server(base_url=base_url, env=env, log=log, pwa_dir=pwa_dir)
    server.run("migrate")
    out = server.run("demo")
    links = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(\w+) .*?: (http\S+#/enroll/\S+)$", out, re.M)}
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [TEZUO, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(proc, port, log)
            yield server, links
        finally:
            proc.terminate()
            proc.wait(10)


def _area_centre() -> dict[str, float]:
    area = next(a for a in plan_demo().sites[0].areas if a.name == AREA)
    lon = sum(p[0] for p in area.gps_polygon) / len(area.gps_polygon)
    lat = sum(p[1] for p in area.gps_polygon) / len(area.gps_polygon)
    return {"latitude": lat, "longitude": lon, "accuracy": 5}


async def _phone_for(browser: Browser, server: Server, link: str) -> Phone:
    """A phone at the work site that enrolls the demo account behind `link`."""
    phone = await open_phone(browser)
    await phone.context.grant_permissions(["geolocation"], origin=server.base_url)
    await phone.context.set_geolocation(_area_centre())
    await phone.page.goto(link)
    await phone.page.get_by_test_id("enroll-button").click()
    await expect(phone.page.get_by_test_id("home")).to_be_visible()
    return phone


async def _status(page: Page, text: str) -> None:
    await expect(page.get_by_test_id("permit-status")).to_have_text(text, timeout=15000)


async def test_apply_approve_push_start_complete_on_phones(
    demo_server: tuple[Server, dict[str, str]], browser: Browser
) -> None:
    server, links = demo_server
    leader = await _phone_for(browser, server, links["team_leader"])
    page = leader.page
    try:
        # 班组长 applies: 3 m work at height in 聚合后处理厂房 → Ⅰ级, team leader + safety officer.
        await page.get_by_test_id("tab-manager").click()
        await expect(page.get_by_test_id("simops-map")).to_be_visible()  # the demo's live permits
        await page.get_by_test_id("apply-button").click()
        form = page.get_by_test_id("permit-apply")
        await expect(form).to_be_visible()
        await page.get_by_test_id("apply-type").select_option("work_at_height")
        await page.get_by_test_id("apply-area").select_option(label=AREA)
        await page.get_by_test_id("apply-content").fill("干燥机平台护栏更换")
        await page.get_by_test_id("apply-field-location_detail").fill("干燥机东侧平台")
        await page.get_by_test_id("apply-field-risk_identification").fill("高处坠落、物体打击")
        await page.get_by_test_id("apply-height").fill("3")
        await expect(page.get_by_test_id("grade-preview")).to_contain_text("Ⅰ级")
        await page.get_by_test_id("apply-guardian").select_option(label="吴建华")
        await page.get_by_test_id("apply-operator-filter").fill("李强")
        await page.get_by_test_id("apply-operator").first.locator("input").check()
        await page.get_by_test_id("apply-submit").click()
        await _status(page, "待审批")
        number = (await page.locator(".mono").first.inner_text()).strip()

        # The team leader signs their own step with the phone's passkey, on site.
        await page.get_by_test_id("approve-button").click()
        await _status(page, "审批中")

        # The safety officer finds it in the inbox and signs with one tap.
        officer = await _phone_for(browser, server, links["safety_officer"])
        try:
            await (
                officer.page.get_by_test_id("inbox-item")
                .filter(has_text="高处作业")
                .first.locator("a")
                .click()
            )
            await officer.page.get_by_test_id("approve-button").click()
            await _status(officer.page, "已批准")
        finally:
            await officer.context.close()

        # The start is 20 min away: the guardian already has the e-permit, with the map and extinguisher.
        guardian = await _phone_for(browser, server, links["guardian"])
        try:
            await guardian.page.get_by_test_id("tab-guardian").click()
            item = guardian.page.get_by_test_id("epermit-item").filter(has_text=number)
            await expect(item).to_be_visible()
            await expect(item).to_contain_text("最近灭火器")
            await item.locator("a").click()
            card = guardian.page.get_by_test_id("epermit-card")
            await expect(card).to_be_visible()
            await expect(card.get_by_test_id("site-map")).to_be_visible()
            await expect(card.get_by_test_id("epermit-extinguisher")).to_contain_text("m")
        finally:
            await guardian.context.close()

        # 验票 on site, then 完工验收.
        await page.reload()
        await page.get_by_test_id("start-button").click()
        await _status(page, "作业中")
        await page.get_by_test_id("complete-button").click()
        await _status(page, "已完工")
        await expect(page.get_by_test_id("permit-history")).to_contain_text("验票通过")
        await expect(page.get_by_test_id("permit-history")).to_contain_text("电子作业票已推送")
        # the same events in the audit log, checked by this browser against the signed tree head
        trail = page.get_by_test_id("audit-history-permit")
        await expect(trail).to_contain_text("签字批准（通行密钥）")
        await expect(trail.locator('[data-mark="verified"]').first).to_be_visible(timeout=40_000)
        await expect(trail.locator('[data-mark="failed"]')).to_have_count(0)
    finally:
        await leader.context.close()
