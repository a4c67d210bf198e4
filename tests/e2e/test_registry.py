"""The safety officer opens the national-registry page, sees the findings the real check made
against the registry simulator, follows one to the person's history and resolves it with a note."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.async_api import expect

from tests.e2e.harness import Phone, Server, plant_today
from tests.factories import id_number

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
HEADER = ["姓名", "身份证号", "班组", "作业类别", "准操项目", "证书编号", "发证机关", "初领日期", "有效期至"]


def _import_two_welders(server: Server, path: Path) -> dict[str, str]:
    """Two welders with valid 特种作业 certificates in a site of their own (out of the other
    tests' ledgers); {name: ID number}."""
    _plant_script(server, "units")
    people = {"周核验": id_number(), "吴台账": id_number()}
    today = plant_today()
    wb = Workbook()
    wb.active.append(HEADER)
    for name, number in people.items():
        wb.active.append(
            [name, number, "E2E-T9", "焊接与热切割作业", "熔化焊接与热切割作业", "T" + number,
             "南京市应急管理局", today - timedelta(days=300), today + timedelta(days=1800)]
        )  # fmt: skip
    wb.save(path)
    assert "certificates_created" in server.run("import", "workers", str(path), "--quiet")
    return people


def _plant_script(server: Server, arg: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.registry_plant", arg],
        env=server.env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"tests.e2e.registry_plant {arg} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _check_against_simulator(server: Server, plants: dict[str, str]) -> dict[str, object]:
    """The real check against the simulator with `plants` ({ID number: code}) planted."""
    return dict(json.loads(_plant_script(server, json.dumps(plants)).strip().splitlines()[-1]))


async def test_officer_resolves_a_registry_finding(server: Server, phone: Phone, tmp_path: Path) -> None:
    people = _import_two_welders(server, tmp_path / "台账.xlsx")
    run = _check_against_simulator(server, {people["周核验"]: "name_mismatch", people["吴台账"]: "not_found"})
    assert run["discrepancies"] == 2 and run["errors"] == 0

    page = phone.page
    await page.goto(server.add_person("郑安全", "safety_officer@E2E-S9", unit="E2E-T9"))
    await page.get_by_test_id("enroll-button").click()
    await page.get_by_test_id("tab-manager").click()
    await page.get_by_test_id("link-registry").click()

    # The last run: completed, its outcomes counted.
    await expect(page.get_by_test_id("registry-run-status")).to_have_text("已完成")
    await expect(page.get_by_test_id("outcome-name_mismatch")).to_have_text("姓名不符 1")
    await expect(page.get_by_test_id("outcome-not_found")).to_have_text("查无此证 1")
    await expect(page.get_by_test_id("registry-export")).to_have_attribute(
        "href", "/api/registry/export.xlsx"
    )

    # The open findings: the welder with no registry record is a frozen shadow operator; the
    # other's name differs, shown against our ledger.
    # (a retried test finds its earlier attempt's findings too: hence `.first`, newest first)
    ghost = (
        page.locator("[data-testid=registry-finding][data-code=not_found]").filter(has_text="吴台账").first
    )
    await expect(ghost.get_by_test_id("finding-kind")).to_have_text("影子操作工")
    await expect(ghost.get_by_test_id("finding-action")).to_have_text("已冻结作业资格")
    renamed = (
        page.locator("[data-testid=registry-finding][data-code=name_mismatch]")
        .filter(has_text="周核验")
        .first
    )
    await expect(renamed.get_by_test_id("finding-kind")).to_have_text("信息不符")
    differs = renamed.get_by_test_id("compare-differs")
    await expect(differs).to_have_count(1)
    await expect(differs).to_contain_text("欧阳核验")
    await expect(differs).to_contain_text("周核验")

    # The welder's verification history, and back.
    await renamed.get_by_test_id("finding-history").click()
    await expect(page.get_by_test_id("registry-history")).to_contain_text("周核验 的核验记录")
    await expect(page.get_by_test_id("history-check")).to_have_attribute("data-outcome", "name_mismatch")
    await page.get_by_test_id("history-back").click()

    # Resolve needs a note; with one the finding leaves the open list and shows under resolved.
    await expect(renamed.get_by_test_id("finding-resolve")).to_be_disabled()
    await renamed.get_by_test_id("finding-note-input").fill("户籍改名，已核对身份证，台账已更正")
    await renamed.get_by_test_id("finding-resolve").click()
    await expect(renamed).to_have_count(0)
    await expect(ghost).to_be_visible()
    await page.get_by_test_id("registry-filter-resolved").click()
    await expect(renamed.get_by_test_id("finding-note")).to_contain_text("户籍改名")
    await expect(renamed).to_have_attribute("data-status", "resolved")

    # English: the same page in the other catalogue.
    await page.get_by_test_id("lang-toggle").click()
    await expect(renamed.get_by_test_id("finding-kind")).to_have_text("Mismatch")
