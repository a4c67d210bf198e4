"""A worker sees their renewal countdown; a manager filters the ledger and sees shadow operators."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.async_api import expect

from tests.e2e.harness import Phone, Server, plant_today
from tests.factories import id_number

pytestmark = pytest.mark.e2e
HEADER = [
    "姓名",
    "身份证号",
    "班组",
    "作业类别",
    "准操项目",
    "证书编号",
    "发证机关",
    "初领日期",
    "有效期至",
    "复审日期",
]


def _ledger(path: Path) -> dict[str, str]:
    """Four workers in a site of their own (E2E-S2, so other tests' people stay out of its counts):
    a welder due in 45 days, a forklift driver due in 20, an
    electrician lapsed 120 days ago (a shadow operator), and one comfortably valid. The welder had
    the 3-yearly review (30号令) in time."""
    today = plant_today()
    people = {"李焊工": id_number(), "赵叉车": id_number(), "王电工": id_number(), "钱架子": id_number()}
    nanjing, samr = "南京市应急管理局", "南京市市场监督管理局"
    reviewed = today - timedelta(days=920)
    welder = people["李焊工"]
    rows = [
        ["李焊工", welder, "E2E-T2", "焊接与热切割作业", "熔化焊接与热切割作业", "T" + welder, nanjing,
         today - timedelta(days=2000), today + timedelta(days=45), reviewed],
        ["赵叉车", people["赵叉车"], "E2E-T2", "", "叉车司机", "TS20240001", samr,
         today - timedelta(days=1000), today + timedelta(days=20)],
        ["王电工", people["王电工"], "E2E-T2", "电工作业", "低压电工作业", "T" + people["王电工"], nanjing,
         today - timedelta(days=2300), today - timedelta(days=120)],
        ["钱架子", people["钱架子"], "E2E-T2", "高处作业", "登高架设作业", "T" + people["钱架子"], nanjing,
         today - timedelta(days=300), today + timedelta(days=1800)],
    ]  # fmt: skip
    wb = Workbook()
    wb.active.append(HEADER)
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return people


def _enroll_url(server: Server, number: str) -> str:
    out = server.run("users", "enroll", number)
    found = re.search(rf"{re.escape(server.base_url)}/#/enroll/\S+", out)
    assert found, out
    return found.group(0)


async def test_worker_countdown_and_manager_ledger(server: Server, phone: Phone, tmp_path: Path) -> None:
    people = _ledger(tmp_path / "台账.xlsx")
    out = server.run("import", "workers", str(tmp_path / "台账.xlsx"), "--quiet")
    assert "certificates_created" in out

    # The welder enrolls and opens "my certificates": 45 days to renew, what to do, where.
    page = phone.page
    await page.goto(_enroll_url(server, people["李焊工"]))
    await page.get_by_test_id("enroll-button").click()
    await page.get_by_test_id("link-certificates").click()
    card = page.get_by_test_id("certificate")
    await expect(card).to_have_count(1)
    await expect(card.get_by_test_id("days-left")).to_have_text("45")
    await expect(card).to_contain_text("熔化焊接与热切割作业")
    await expect(card.get_by_test_id("cert-status")).to_have_text("待复审/换证")
    await expect(card.get_by_test_id("how-to-apply")).to_contain_text("换证")
    await expect(card.get_by_test_id("where-to-apply")).to_contain_text("南京市应急管理局")
    await expect(page.get_by_test_id("frozen-banner")).to_have_count(0)
    await page.get_by_test_id("lang-toggle").click()
    await expect(card).to_contain_text("days left for the renewal")
    await page.get_by_test_id("lang-toggle").click()

    # A safety officer of the site filters the ledger and finds the shadow operator.
    await phone.context.clear_cookies()
    await page.goto(server.add_person("孙安全", "safety_officer@E2E-S2"))
    await page.get_by_test_id("enroll-button").click()
    await page.get_by_test_id("tab-manager").click()
    await page.get_by_test_id("link-ledger").click()
    rows = page.get_by_test_id("ledger-row")
    await expect(rows).to_have_count(4)
    await expect(page.get_by_test_id("ledger-total")).to_contain_text("4")
    await page.get_by_test_id("filter-expiring").fill("30")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("赵叉车")
    await page.get_by_test_id("filter-expiring").fill("")
    await page.get_by_test_id("filter-status").select_option("shadow")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("王电工")
    await page.get_by_test_id("filter-status").select_option("")
    await page.get_by_test_id("filter-family").select_option("samr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("叉车司机")

    await page.get_by_test_id("ledger-view-shadow").click()
    shadow = page.get_by_test_id("shadow-row")
    await expect(shadow).to_have_count(1)
    await expect(shadow.first).to_contain_text("王电工")
    await expect(shadow.first).to_contain_text("过期超90天")
