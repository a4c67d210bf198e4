"""The safety engineer of a site opens its gas detectors, enters a bump test (the deviation shows
as they type; out of tolerance flags the detector and leaves it out of the gas lock), analyses the
detector's night-time spikes, records the finding with the tag 设备振动干扰 and the fix taken, and
builds the 72-hour acceptance report; a calibration report imported as CSV puts it back in service."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.harness import Phone, Server

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def _plant_detector(server: Server) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.detector_plant"],
        env=server.env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"tests.e2e.detector_plant failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def test_engineer_calibrates_and_tags_a_finding(server: Server, phone: Phone) -> None:
    plant = _plant_detector(server)
    page = phone.page
    await page.goto(server.add_person("冯仪表", "safety_officer@E2E-S8", unit="E2E-T8"))
    await page.get_by_test_id("enroll-button").click()
    await page.get_by_test_id("nav-detectors").click()

    row = page.locator(f"[data-testid=detector-row][data-code={plant['code']}]")
    await expect(row.get_by_test_id("detector-flag")).to_have_text("无校准记录")
    await row.get_by_test_id("detector-open").click()

    # The bump test: 50 %LEL applied, the detector shows 51.5: +3 %, outside ±2 %, shown live.
    await page.get_by_test_id("cal-referenceGas").fill("CH4 50%LEL")
    await page.get_by_test_id("cal-referenceValue").fill("50")
    await page.get_by_test_id("cal-reading").fill("51.5")
    deviation = page.get_by_test_id("cal-deviation")
    await expect(deviation).to_contain_text("+3.00 %")
    await expect(deviation).to_have_attribute("data-within", "false")
    await page.get_by_test_id("cal-save").click()
    await expect(page.get_by_test_id("cal-problems")).to_contain_text("请填写校准人")  # nothing sent yet
    await page.get_by_test_id("cal-technician").fill("冯仪表")
    await page.get_by_test_id("cal-save").click()
    await expect(page.get_by_test_id("cal-saved")).to_contain_text("+3.00 %")
    await expect(page.get_by_test_id("calibration-item").first).to_have_attribute("data-within", "false")
    await expect(page.get_by_test_id("detector-detail").get_by_test_id("detector-flag")).to_have_text(
        "偏差超限"
    )

    # Root cause: found with no hint; the finding starts from the analysis with its suggested tag.
    await page.get_by_test_id("rc-run").click()
    await expect(page.get_by_test_id("rc-result")).to_have_attribute("data-verdict", "interference")
    await expect(page.get_by_test_id("rc-evidence")).to_be_visible()
    await expect(page.get_by_test_id("finding-tag")).to_have_value("vibration_interference")
    await expect(page.get_by_test_id("finding-text")).to_have_value(
        re.compile("P-3.vibration_hz.*设备振动干扰")
    )
    await page.get_by_test_id("finding-fix").fill("P-3 加装减振支架，传感器移位 2 m")
    await page.get_by_test_id("finding-save").click()
    await expect(page.get_by_test_id("finding-saved")).to_be_visible()
    tag = page.locator("[data-testid=tag-item][data-tag=vibration_interference]").first
    await expect(tag).to_contain_text("设备振动干扰")
    await expect(tag).to_contain_text("P-3 加装减振支架")

    # The acceptance report from its first 72 hours: no calibration then, so it does not pass.
    await page.get_by_test_id("acceptance-run").click()
    await expect(page.get_by_test_id("acceptance-verdict")).to_have_text("不通过")
    await expect(page.get_by_test_id("acceptance-reasons")).to_contain_text("无校准记录")
    await expect(page.get_by_test_id("acceptance-pdf")).to_have_attribute(
        "href", f"/api/analytics/detectors/{plant['detector_id']}/acceptance.pdf"
    )

    # Back in the list the detector is flagged and left out of the live gas lock.
    await page.get_by_test_id("detector-back").click()
    await expect(row).to_have_attribute("data-flag", "out_of_tolerance")
    await expect(row).to_contain_text("已排除出实时气体联锁")

    # The sensor was replaced and bump-tested again; the report comes in as CSV: back in service.
    header = "detector_code,calibrated_at,reference_gas,reference_value,reading,unit,technician\n"
    line = f"{plant['code']},{datetime.now(UTC).isoformat()},CH4 50%LEL,50,50.4,lel,冯仪表\n"
    await page.get_by_test_id("calibration-csv").set_input_files(
        {"name": "校准报告.csv", "mimeType": "text/csv", "buffer": (header + line).encode()}
    )
    await expect(page.get_by_test_id("import-done")).to_have_text("已导入 1 条校准记录")
    await expect(row).to_have_attribute("data-flag", "ok")
    await expect(row.get_by_test_id("detector-flag")).to_have_text("在期合格")
