"""The permit happy path on phones: apply → passkey approvals → the guardian's e-permit, pushed to the
phone's service worker → start → complete.

The push is the real one: `tezuo serve` encrypts the pre-start e-permit for the guardian's push
subscription and sends it to the push-service simulator on loopback; this test decrypts what the
simulator received with the subscription's private key and hands exactly that to Chromium's
service worker through `ServiceWorker.deliverPushMessage`, as the browser's push service would.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from backend.demo.plan import plan_demo
from backend.push.ece import UserAgentKeys, decrypt
from backend.push.simulator import PushSimulator
from tests.e2e.conftest import PWA_DIST, _free_port, _unavailable, _wait_healthy
from tests.e2e.harness import TEZUO, Phone, Server, open_phone, until

pytestmark = pytest.mark.e2e
AREA = "聚合后处理厂房"
NOTIFICATIONS = """() => navigator.serviceWorker.ready
  .then((reg) => reg.getNotifications())
  .then((list) => list.map((n) => ({
    title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url,
    actions: n.actions.map((a) => [a.action, a.title]),
  })))"""
# A tap on the notification's 查看, dispatched inside the worker (DevTools cannot click notifications).
CLICK_VIEW = """async () => {
  const [notification] = await self.registration.getNotifications();
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification, action: "view" }));
  return notification.tag;
}"""


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
    links = _links(server.run("demo"))
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


def _links(demo_output: str) -> dict[str, str]:
    """The one-time enrollment links `tezuo demo` prints, by account."""
    found = re.finditer(r"^\s+(\w+) .*?: (http\S+#/enroll/\S+)$", demo_output, re.M)
    return {m.group(1): m.group(2) for m in found}


@pytest.fixture(scope="module")
def attempts() -> list[int]:
    return []


@pytest.fixture
def fresh_links(demo_server: tuple[Server, dict[str, str]], attempts: list[int]) -> dict[str, str]:
    """Unused one-time links for this attempt: a rerun after a failure must not meet the links the
    failed attempt consumed (an enrollment link works once; `tezuo demo` prints new ones)."""
    server, first = demo_server
    attempts.append(1)
    return first if len(attempts) == 1 else _links(server.run("demo"))


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


async def _subscribe(phone: Phone, server: Server, push_service: PushSimulator) -> tuple[UserAgentKeys, str]:
    """The phone's installed app subscribes to web push (its service worker controls the page);
    the subscription points at the loopback push service. Returns its keys and endpoint token."""
    page = phone.page
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()
    await expect(page.get_by_test_id("home")).to_be_visible()
    await phone.context.grant_permissions(["notifications"], origin=server.base_url)
    keys, endpoint = UserAgentKeys.generate(), push_service.new_subscription()
    res = await page.request.post(
        f"{server.base_url}/api/push/subscriptions",
        data={"endpoint": endpoint["endpoint"], "keys": keys.subscription_keys()},
    )
    assert res.status == 201, await res.text()
    return keys, str(endpoint["token"])


async def _deliver_to_worker(phone: Phone, server: Server, payload: str) -> None:
    """Hand a push message to the phone's service worker, as its browser's push service would."""
    registrations: list[dict[str, Any]] = []
    phone.cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"])
    )
    await phone.cdp.send("ServiceWorker.enable")

    async def registered() -> list[dict[str, Any]]:
        return [r for r in registrations if not r.get("isDeleted")]

    registration = (await until(registered))[0]["registrationId"]
    push = {"origin": server.base_url, "registrationId": registration, "data": payload}
    await phone.cdp.send("ServiceWorker.deliverPushMessage", push)


async def test_apply_approve_push_start_complete_on_phones(
    demo_server: tuple[Server, dict[str, str]],
    fresh_links: dict[str, str],
    browser: Browser,
    push_service: PushSimulator,
) -> None:
    server, links = demo_server[0], fresh_links
    # The guardian's phone has the app installed and web push allowed before anyone applies.
    guardian = await _phone_for(browser, server, links["guardian"])
    keys, token = await _subscribe(guardian, server, push_service)
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

        # The start is 20 min away, so the approval pushed the e-permit at once: the server encrypted
        # it for the guardian's subscription and the push service holds it for the phone.
        async def pushed() -> list[dict[str, Any]]:
            return [d for d in push_service.deliveries if d["token"] == token]

        [record] = await until(pushed)
        payload = decrypt(base64.b64decode(record["body"]), keys).decode()
        assert number in payload
        await _deliver_to_worker(guardian, server, payload)

        async def shown() -> list[dict[str, Any]]:
            return list(await guardian.page.evaluate(NOTIFICATIONS))

        # …and the service worker shows it on the lock screen: what and where, the way out, the extinguisher.
        [note] = await until(shown)
        assert note["title"] == f"高处作业（Ⅰ级）· {AREA}"
        assert note["body"].startswith(number) and "干燥机平台护栏更换" in note["body"]
        assert "撤离：沿疏散路线至" in note["body"] and "最近灭火器：" in note["body"]
        assert note["actions"] == [["view", "查看"]]
        permit_url = note["url"]
        assert note["tag"] == "permit:" + permit_url.rsplit("/", 1)[1]

        # 查看 opens the e-permit card, with the map and the extinguisher.
        [worker] = guardian.context.service_workers
        assert await worker.evaluate(CLICK_VIEW) == note["tag"]
        await expect(guardian.page).to_have_url(re.compile(re.escape(permit_url) + "$"))
        card = guardian.page.get_by_test_id("epermit-card")
        await expect(card).to_be_visible()
        await expect(card.get_by_test_id("site-map")).to_be_visible()
        await expect(card.get_by_test_id("epermit-extinguisher")).to_contain_text("m")
        await expect(guardian.page.get_by_test_id("permit-status")).to_have_text("已批准")
        # the in-app copy is there as well, for a phone that was offline when the push came
        await guardian.page.goto(server.base_url + "/#/")
        await guardian.page.get_by_test_id("tab-guardian").click()
        await expect(guardian.page.get_by_test_id("epermit-item").filter(has_text=number)).to_be_visible()
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
        await guardian.context.close()
