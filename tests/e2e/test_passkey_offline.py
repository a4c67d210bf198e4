"""Enroll with a passkey, sign out and in again, then open the installed shell with the network off."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.harness import Phone, Server, open_phone

pytestmark = pytest.mark.e2e
SCREENSHOT = Path(tempfile.gettempdir()) / "tezuo-home.png"
CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys())
    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
  return paths;
}"""


async def test_passkey_enrollment_sign_in_and_offline_home(server: Server, phone: Phone) -> None:
    page = phone.page
    url = server.add_person("张三", "worker", "inspector@E2E-S1")

    await page.goto(url)
    await expect(page.get_by_test_id("enroll-greeting")).to_contain_text("张三")
    await page.get_by_test_id("enroll-button").click()

    home = page.get_by_test_id("home")
    await expect(home).to_be_visible()
    assert len(await phone.credentials()) == 1, "the passkey lives in the (virtual) platform authenticator"
    await expect(page.get_by_test_id("person-name")).to_have_text("张三")
    await expect(page.get_by_test_id("id-number")).to_contain_text("**********")
    await expect(page.get_by_test_id("unit-name")).to_have_text("焊接一班")
    await expect(page.get_by_test_id("tab-worker")).to_be_visible()
    await expect(page.get_by_test_id("tab-inspector")).to_be_visible()
    await expect(page.get_by_test_id("tab-guardian")).to_have_count(0)
    await page.get_by_test_id("tab-inspector").click()
    await expect(page.get_by_test_id("grants-inspector")).to_contain_text("一号厂区")
    await page.get_by_test_id("tab-worker").click()
    await expect(page.get_by_test_id("grants-worker")).to_contain_text("焊接一班")
    await expect(page.get_by_test_id("soon-worker")).to_be_visible()
    await page.screenshot(path=str(SCREENSHOT), full_page=True)

    await page.get_by_test_id("signout-button").click()
    await expect(page.get_by_test_id("signin-button")).to_be_visible()
    assert (await page.request.get(f"{server.base_url}/api/auth/me")).status == 401

    await page.get_by_test_id("signin-button").click()
    await expect(home).to_be_visible()
    await expect(page.get_by_test_id("person-name")).to_have_text("张三")

    # The worker installs on the first visit; one reload makes sure it controls the page.
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()
    await expect(home).to_be_visible()
    assert await page.evaluate("navigator.serviceWorker.controller !== null")
    await expect(page.get_by_test_id("online-badge")).to_be_visible()
    cached = await page.evaluate(CACHED_PATHS)
    assert "/index.html" in cached and any(p.startswith("/assets/") for p in cached)
    assert not [p for p in cached if p.startswith("/api")], "API answers must never be cached"
    manifest = await phone.cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest.get("errors")
    installable = await phone.cdp.send("Page.getInstallabilityErrors")
    # A Playwright context is an incognito profile, the one reason Chromium may give here.
    blockers = [e["errorId"] for e in installable["installabilityErrors"] if e["errorId"] != "in-incognito"]
    assert blockers == [], "Chromium would not offer to install the app"

    await phone.context.set_offline(True)
    await page.reload()
    await expect(home).to_be_visible()
    await expect(page.get_by_test_id("offline-badge")).to_be_visible()
    await expect(page.get_by_test_id("person-name")).to_have_text("张三")
    await expect(page.get_by_test_id("tab-inspector")).to_be_visible()

    # The language toggle works offline too and survives a reload.
    await page.get_by_test_id("lang-toggle").click()
    await expect(page.get_by_test_id("signout-button")).to_have_text("Sign out")
    await page.reload()
    await expect(page.get_by_test_id("offline-badge")).to_have_text("Offline")
    assert await page.evaluate("document.documentElement.lang") == "en"

    await phone.context.set_offline(False)
    await page.reload()
    await expect(page.get_by_test_id("online-badge")).to_be_visible()


async def test_an_enrollment_code_works_only_once(server: Server, phone: Phone, browser: Browser) -> None:
    url = server.add_person("李四", "guardian")
    await phone.page.goto(url)
    await phone.page.get_by_test_id("enroll-button").click()
    await expect(phone.page.get_by_test_id("tab-guardian")).to_be_visible()

    other = await open_phone(browser)
    try:
        await other.page.goto(url)
        await expect(other.page.get_by_test_id("error")).to_contain_text("注册码已使用过")
        await expect(other.page.get_by_test_id("enroll-button")).to_be_disabled()
        assert await other.credentials() == []
    finally:
        await other.context.close()


async def test_a_new_release_offers_an_update_and_drops_the_old_cache(server: Server, phone: Phone) -> None:
    page = phone.page
    await page.goto(server.add_person("王五", "inspector"))
    await page.get_by_test_id("enroll-button").click()
    await expect(page.get_by_test_id("home")).to_be_visible()
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()
    old_caches = await page.evaluate("caches.keys()")
    assert len(old_caches) == 1 and old_caches[0].startswith("tezuo-shell-")

    sw = server.pwa_dir / "sw.js"
    original = sw.read_text()
    version = re.search(r'"version":"(\w+)"', original)
    assert version, "the build writes the precache manifest into sw.js"
    sw.write_text(original.replace(version.group(1), "e2e" + version.group(1)[3:]))
    try:
        await page.evaluate("navigator.serviceWorker.getRegistration().then((reg) => reg.update())")
        await expect(page.get_by_test_id("update-toast")).to_contain_text("有新版本")
        async with page.expect_event("load"):
            await page.get_by_test_id("update-button").click()
        await expect(page.get_by_test_id("home")).to_be_visible()
        await expect(page.get_by_test_id("update-toast")).to_have_count(0)
        assert await page.evaluate("caches.keys()") == ["tezuo-shell-e2e" + version.group(1)[3:]]
    finally:
        sw.write_text(original)
