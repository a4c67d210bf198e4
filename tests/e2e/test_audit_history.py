"""The person's own record on the home page: each audit entry marked "verified" by Chromium itself
(WebCrypto: the signed tree head's ECDSA signature, the leaf, the inclusion proof)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.harness import Phone, Server

pytestmark = pytest.mark.e2e


async def test_home_shows_the_persons_history_verified_in_the_browser(server: Server, phone: Phone) -> None:
    page = phone.page
    await page.goto(server.add_person("王审计", "worker"))
    await page.get_by_test_id("enroll-button").click()
    history = page.get_by_test_id("audit-history-person")
    await expect(history).to_be_visible()
    marks = history.get_by_test_id("audit-mark")
    # passkey.register, enrollment.issue, role.grant, person.create — newest first
    await expect(marks).to_have_count(4)
    for i in range(4):
        await expect(marks.nth(i)).to_have_attribute("data-mark", "verified")
        await expect(marks.nth(i)).to_have_text("已验证")
    await expect(history).to_contain_text("注册通行密钥")
    await expect(history).to_contain_text("建立人员档案")
    await expect(page.get_by_test_id("audit-head")).to_be_visible()
    seen = await page.evaluate("JSON.parse(localStorage.getItem('tezuo.audit.head')).tree_size")
    assert seen >= 4

    # a head that this device saw cannot be silently replaced by a rewritten log
    await page.evaluate(
        """() => {
          const head = JSON.parse(localStorage.getItem('tezuo.audit.head'));
          head.sha256_root_hash = btoa(String.fromCharCode(...new Uint8Array(32)));
          localStorage.setItem('tezuo.audit.head', JSON.stringify(head));
        }"""
    )
    await page.reload()
    await expect(page.get_by_test_id("audit-head-bad")).to_be_visible()
    await expect(history.get_by_test_id("audit-mark").first).to_have_attribute("data-mark", "failed")
