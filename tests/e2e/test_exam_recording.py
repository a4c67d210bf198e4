"""A welder records a practical exam with the phone offline (Chromium's fake camera); it waits in
IndexedDB, goes up in chunks once the phone is back online, and an HR assessor watches it, marks a
step and passes it. The server of this module takes 2 s as the exam minimum (production: 180 s)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import async_playwright, expect

from backend.media import samples
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.harness import Server, open_phone
from tests.e2e.test_badge_scan import _enroll_url, _ledger
from tests.e2e.test_certificate_scan import write_y4m

pytestmark = pytest.mark.e2e


async def test_an_exam_recorded_offline_is_uploaded_when_online_and_assessed(
    short_exam_server: Server, tmp_path: Path
) -> None:
    server = short_exam_server
    number = _ledger(tmp_path / "台账.xlsx")
    server.run("import", "workers", str(tmp_path / "台账.xlsx"), "--quiet")
    assessor_url = server.add_person("林人事", "hr@E2E-S1")
    video = tmp_path / "welding.y4m"
    write_y4m(video, Image.fromarray(samples.astronaut()).resize((640, 480)), frames=10)
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    args.append(f"--use-file-for-fake-video-capture={video}")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=args)
        welder = await open_phone(browser)
        page = welder.page
        await page.goto(_enroll_url(server, number))
        await page.get_by_test_id("enroll-button").click()
        await page.get_by_test_id("link-certificates").click()
        await page.get_by_test_id("link-exam").click()
        await expect(page.get_by_test_id("exam-item").locator("option")).to_have_count(1)
        await expect(page.get_by_test_id("exam-start")).to_be_enabled()

        await welder.context.set_offline(True)
        await page.get_by_test_id("exam-start").click()
        elapsed = page.get_by_test_id("exam-elapsed")
        await expect(elapsed).to_contain_text("熔化焊接与热切割作业")
        await expect(elapsed).to_contain_text("0:03 / 3:00", timeout=15_000)
        await page.get_by_test_id("exam-stop").click()
        kept = page.get_by_test_id("exam-recording")
        await expect(kept).to_contain_text("等待上传")

        await welder.context.set_offline(False)  # the `online` event sends it
        await expect(kept).to_contain_text("已上传", timeout=60_000)

        hr = await open_phone(browser)
        await hr.page.goto(assessor_url)
        await hr.page.get_by_test_id("enroll-button").click()
        await hr.page.get_by_test_id("link-exams").click()  # the managers' home tab
        await hr.page.get_by_test_id("queued-exam").first.click()
        await expect(hr.page.get_by_test_id("exam-player")).to_be_visible()
        await hr.page.get_by_test_id("exam-mark").first.click()
        await hr.page.get_by_test_id("exam-fail").click()  # a fail needs a reason
        await expect(hr.page.get_by_text("不合格须填写理由")).to_be_visible()
        await hr.page.get_by_test_id("exam-note").fill("引弧稳定，焊缝成形良好")
        await hr.page.get_by_test_id("exam-pass").click()
        await expect(hr.page.get_by_test_id("exam-decision")).to_contain_text("合格")
        await expect(hr.page.get_by_test_id("exam-marks")).to_contain_text("引弧")
        await browser.close()
