"""The analytics page in Chromium, on a phone and on a desktop screen: indicators with their
thresholds, a drill-down, the period switch, the xlsx export and the zh-CN / English toggle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.e2e.conftest import REPO
from tests.e2e.harness import PHONE, Server, open_phone

pytestmark = pytest.mark.e2e
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
_seeded: list[bool] = []


def _site(server: Server) -> None:
    """E2E-S3 and its records (tests/e2e/analytics_site.py), once per served database."""
    if _seeded:
        return
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.analytics_site"],
        env=server.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        pytest.fail(f"seeding E2E-S3 failed:\n{done.stderr}")
    _seeded.append(True)


async def _open(page: Page, server: Server, name: str) -> None:
    await page.goto(server.add_person(name, "safety_officer@E2E-S3"))
    await page.get_by_test_id("enroll-button").click()
    await expect(page.get_by_test_id("home")).to_be_visible()
    await page.get_by_test_id("nav-analytics").click()
    await expect(page.get_by_test_id("analytics")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_analytics_page(
    server: Server, browser: Browser, viewport: ViewportSize, tmp_path: Path
) -> None:
    _site(server)
    device = await open_phone(browser)
    page = device.page
    try:
        await page.set_viewport_size(viewport)
        await _open(page, server, f"冯分析{viewport['width']}")
        overtime = page.get_by_test_id("kpi-permit_overtime_rate")
        # Last 30 days: AN-1 of the four permits ran past its validity → 25 %, off the ≤ 5 % target.
        await expect(page.get_by_test_id("kpi-value-permit_overtime_rate")).to_have_text("25 %")
        await expect(overtime).to_contain_text("阈值 ≤ 5 %")
        await expect(overtime).to_contain_text("未达标")
        await expect(overtime).to_have_class("kpi kpi-breach")
        await expect(page.get_by_test_id("kpi-value-alarm_response_seconds")).to_have_text("50 s")
        await expect(page.get_by_test_id("kpi-alarm_response_seconds")).to_contain_text("达标")
        heat = page.get_by_test_id("analytics-heatmap").locator("img")
        await expect(heat).to_be_visible()
        loaded = "img => img.complete && img.naturalWidth > 0"  # the PNG arrived and decoded
        await page.wait_for_function(loaded, arg=await heat.element_handle(), timeout=15_000)

        # Drill-down: the workshop, then by trade, and the permits behind the figure.
        await overtime.click()
        detail = page.get_by_test_id("kpi-detail")
        await expect(detail.get_by_test_id("kpi-groups")).to_contain_text("储运车间")
        await expect(detail.get_by_test_id("kpi-records")).to_contain_text("AN-1")
        await expect(detail.get_by_test_id("kpi-records").locator("li.flagged")).to_have_count(1)
        await detail.get_by_test_id("by-trade").click()
        await expect(detail.get_by_test_id("kpi-groups")).to_contain_text("hot_work")
        await expect(detail.get_by_test_id("kpi-groups")).to_contain_text("1/4")

        # Period: the last 7 days hold only AN-1 and AN-2 → 50 %.
        await page.get_by_test_id("analytics-period").select_option("7")
        await expect(page.get_by_test_id("kpi-value-permit_overtime_rate")).to_have_text("50 %")
        await expect(page.get_by_test_id("kpi-permit_overtime_rate")).to_contain_text("1/2")

        # The xlsx of what is shown.
        async with page.expect_download() as info:
            await page.get_by_test_id("analytics-export").click()
        download = await info.value
        assert download.suggested_filename.endswith(".xlsx")
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        book = load_workbook(saved, read_only=True)
        rows = {r[0]: r for r in book["指标 Indicators"].iter_rows(min_row=3, values_only=True)}
        assert rows["permit_overtime_rate"][7] == 50

        # English and back.
        await page.get_by_test_id("lang-toggle").click()
        await expect(page.get_by_role("heading", name="Effectiveness analytics")).to_be_visible()
        await expect(page.get_by_test_id("kpi-permit_overtime_rate")).to_contain_text("Permit overtime rate")
        await expect(page.get_by_test_id("kpi-permit_overtime_rate")).to_contain_text("Target ≤ 5 %")
        await expect(page.get_by_test_id("kpi-permit_overtime_rate")).to_contain_text("Off target")
        await page.get_by_test_id("lang-toggle").click()
        await expect(page.get_by_role("heading", name="效能分析")).to_be_visible()
        await expect(page.get_by_test_id("kpi-permit_overtime_rate")).to_contain_text("作业许可平均超时率")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], "the page fits the screen without sideways scrolling"
    finally:
        await device.context.close()
