"""外出与B角: a safety officer names a B角 from the people holding the role, marks themself away,
sees both listed, and ends the absence early; the CLI sees the same designation."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.e2e.harness import Phone, Server

pytestmark = pytest.mark.e2e
SCREENSHOT = Path(tempfile.gettempdir()) / "tezuo-away.png"


async def test_a_manager_names_a_deputy_and_is_away_for_a_while(server: Server, phone: Phone) -> None:
    page = phone.page
    server.add_person("冯乙安全", "safety_officer@E2E-W1", unit="E2E-W1")
    server.add_person("陈焊工", "worker")  # same site, no safety-officer grant: offered after the holders
    await page.goto(server.add_person("许甲安全", "safety_officer@E2E-W1", unit="E2E-W1"))
    await page.get_by_test_id("enroll-button").click()
    await expect(page.get_by_test_id("home")).to_be_visible()
    await page.get_by_test_id("nav-away").click()
    await expect(page.get_by_test_id("away")).to_be_visible()

    role = page.locator('[data-testid="away-role"][data-role="safety_officer"]')
    await expect(role).to_contain_text("尚未指定B角")
    pick = role.get_by_test_id("deputy-pick")
    await expect(pick.locator("option", has_text="冯乙安全")).to_have_text("冯乙安全 · 同岗")
    await expect(pick.locator("option", has_text="陈焊工")).to_have_text("陈焊工")
    await pick.select_option(label="冯乙安全 · 同岗")
    await role.get_by_test_id("deputy-add").click()
    await expect(role.get_by_test_id("deputy-row")).to_have_text(re.compile("冯乙安全"))

    await page.get_by_test_id("away-reason").fill("出差")
    await page.get_by_test_id("away-submit").click()
    absence = page.get_by_test_id("absence-row")
    await expect(absence).to_have_count(1)
    await expect(absence).to_have_attribute("data-state", "current")
    await expect(absence).to_contain_text("出差")
    await expect(absence).to_contain_text("外出中")
    await expect(role.get_by_test_id("deputy-row")).to_contain_text("冯乙安全")
    await page.screenshot(path=str(SCREENSHOT), full_page=True)

    await absence.get_by_test_id("absence-end").click()
    await expect(page.get_by_test_id("absence-row")).to_have_count(0)
    await expect(page.get_by_text("当前没有外出安排。")).to_be_visible()
    await expect(page.get_by_test_id("error")).to_have_count(0)

    listing = server.run("users", "deputy", "list", await _person_id(page))
    assert "许甲安全 → 冯乙安全  safety_officer @ E2E-W1" in listing


async def _person_id(page: Page) -> str:
    me = await page.evaluate("fetch('/api/auth/me').then((r) => r.json())")
    return str(me["person_id"])
