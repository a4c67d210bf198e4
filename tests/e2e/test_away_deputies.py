"""外出与B角: a safety officer names a B角 from the people holding the role, marks themself away,
sees both listed, and ends the absence early; the CLI sees the same designation. HR does the
same on behalf of a safety officer in its scope, and is neither offered nor allowed anyone outside."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.e2e.harness import Phone, Server
from tests.factories import id_number

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


async def test_hr_names_a_deputy_and_marks_someone_in_scope_away(server: Server, phone: Phone) -> None:
    page = phone.page
    officer = _add(server, "韩丁安全", "safety_officer@E2E-W1", unit="E2E-W1")
    _add(server, "卫己安全", "safety_officer@E2E-W1", unit="E2E-W1")
    outsider = _add(server, "韩庚安全", "safety_officer@E2E-W2", unit="E2E-W2")  # site 2: not HR's
    await page.goto(server.add_person("贺人事", "hr@E2E-S1", unit="E2E-S1"))
    await page.get_by_test_id("enroll-button").click()
    await expect(page.get_by_test_id("home")).to_be_visible()
    await page.get_by_test_id("nav-away").click()
    await expect(page.get_by_test_id("away")).to_be_visible()
    await expect(page.get_by_test_id("behalf-heading")).to_have_count(0)

    await page.get_by_test_id("behalf-search").fill("韩")
    offered = page.get_by_test_id("behalf-person")
    await expect(offered).to_have_count(1)
    await expect(offered).to_have_text("韩丁安全 · 安全员")
    await offered.click()
    await expect(page).to_have_url(re.compile(rf"#/away/{_id_of(server, officer)}$"))
    await expect(page.get_by_test_id("behalf-heading")).to_have_text("正在为 韩丁安全 办理")

    role = page.locator('[data-testid="away-role"][data-role="safety_officer"]')
    await expect(role).to_contain_text("尚未指定B角")
    await role.get_by_test_id("deputy-pick").select_option(label="卫己安全 · 同岗")
    await role.get_by_test_id("deputy-add").click()
    await expect(role.get_by_test_id("deputy-row")).to_have_text(re.compile("卫己安全"))
    await page.get_by_test_id("away-reason").fill("出差")
    await page.get_by_test_id("away-submit").click()
    absence = page.get_by_test_id("absence-row")
    await expect(absence).to_have_count(1)
    await expect(absence).to_contain_text("外出中")
    await expect(page.get_by_test_id("error")).to_have_count(0)

    listing = server.run("users", "deputy", "list", officer)
    assert "韩丁安全 → 卫己安全  safety_officer @ E2E-W1" in listing
    away = server.run("users", "away", "list", officer)
    assert "出差" in away and "not away" not in away

    await page.get_by_test_id("behalf-back").click()
    await expect(page).to_have_url(re.compile(r"#/away$"))
    await expect(page.get_by_test_id("behalf-heading")).to_have_count(0)
    await expect(page.get_by_text("当前没有外出安排。")).to_be_visible()  # HR's own page again

    # outside HR's scope: a deep link shows the refusal, and the API refuses the writes too
    outsider_id = _id_of(server, outsider)
    await page.goto(f"{server.base_url}/#/away/{outsider_id}")
    await expect(page.get_by_test_id("error")).to_be_visible()
    await expect(page.get_by_test_id("away-role")).to_have_count(0)
    refused = await page.evaluate(
        """(id) => fetch('/api/permits/absences/', {
             method: 'POST',
             headers: {'content-type': 'application/json'},
             body: JSON.stringify({person_id: id, starts_at: new Date().toISOString(),
                                   ends_at: new Date(Date.now() + 3600e3).toISOString()}),
           }).then(async (r) => [r.status, (await r.json()).code])""",
        outsider_id,
    )
    assert refused == [403, "role_required"]
    assert "not away" in server.run("users", "away", "list", outsider)


def _add(server: Server, name: str, role: str, *, unit: str) -> str:
    """`tezuo users add`, keeping the ID number so the CLI can find the person again."""
    number = id_number()
    server.run("users", "add", "--name", name, "--id-number", number, "--unit", unit, "--role", role)
    return number


def _id_of(server: Server, number: str) -> str:
    found = re.search(r", ([0-9a-f-]{36})\)", server.run("users", "away", "list", number))
    assert found, "no person id in `tezuo users away list`"
    return found.group(1)
