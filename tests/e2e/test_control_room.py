"""Control-room board (desktop): alarms and wearables appear live (SSE); one-click assign and acknowledge."""

from __future__ import annotations

import re
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.backend.alarms.plant import device_headers
from tests.e2e.harness import Server, open_phone
from tests.factories import id_number

pytestmark = pytest.mark.e2e
SCREENSHOT = Path(tempfile.gettempdir()) / "tezuo-board.png"


def _token(server: Server, *args: str) -> str:
    found = re.search(r"token (\S+)", server.run("devices", "add", *args))
    assert found, "tezuo devices add prints the token"
    return found.group(1)


async def test_board_shows_live_alarms_and_answers_them(server: Server, browser: Browser) -> None:
    desk = await open_phone(browser)  # a fresh profile with a platform passkey; a desktop-sized window
    page = desk.page
    try:
        await page.set_viewport_size({"width": 1440, "height": 900})
        server.add_person("郑监护", "guardian")
        await page.goto(server.add_person("吴安全", "safety_officer@E2E-S1"))
        await page.get_by_test_id("enroll-button").click()
        await expect(page.get_by_test_id("home")).to_be_visible()
        await page.get_by_test_id("nav-board").click()
        await expect(page.get_by_test_id("board-live")).to_have_text("实时")
        await expect(page.get_by_test_id("kpi-1")).to_contain_text("达标")
        within, raised = _kpi(await page.get_by_test_id("kpi-1").inner_text())  # other tests raised some

        # B角 from the shell: the team leader is on leave, their 副班长 gets the alarm instead
        leader, stand_in = id_number(), id_number()
        server.run("users", "add", "--name", "钱班长", "--id-number", leader, "--unit", "E2E-T1",
                   "--role", "team_leader")  # fmt: skip
        server.run("users", "add", "--name", "孙副班长", "--id-number", stand_in, "--unit", "E2E-T1")
        server.run("users", "deputy", "add", leader, stand_in, "--role", "team_leader")
        back = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        server.run("users", "away", "add", leader, "--until", back, "--reason", "休假")

        edge = _token(server, "--kind", "edge", "--name", "3号摄像头", "--site", "E2E-S1")
        band_id = f"WB-{uuid.uuid4().hex[:6]}"  # a band id names one band on the site
        band = _token(server, "--kind", "wearable", "--name", band_id, "--site", "E2E-S1")
        alarm_id = str(uuid.uuid4())
        body = {
            "alarm_id": alarm_id,
            "kind": "person_under_load",
            "raised_at": datetime.now(UTC).isoformat(),
            "position": {"x": 420, "y": 260},
            "message": "2号塔吊 吊物下方有人",
        }
        report = {"position": {"x": 380, "y": 300}, "vitals": {"heart_rate": 131}, "battery_pct": 57}
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            res = await client.post(
                "/api/alarms/ingest", json=body, headers=device_headers(edge, datetime.now(UTC))
            )
            assert res.status_code == 201, res.text
            res = await client.post(
                "/api/devices/telemetry", json=report, headers=device_headers(band, datetime.now(UTC))
            )
            assert res.status_code == 202, res.text

        # Pushed over SSE: no reload.
        await expect(page.get_by_test_id(f"marker-{alarm_id}")).to_be_visible()
        row = page.get_by_test_id("board-open").get_by_test_id(f"alarm-{alarm_id}")
        await expect(row).to_contain_text("一级报警：吊装半径内站人")
        await expect(row.get_by_test_id("alarm-handover")).to_have_text("B角 孙副班长 代 钱班长")
        await expect(page.get_by_test_id("wearables")).to_contain_text("心率 131")
        await expect(page.get_by_test_id(f"plan-wearer-{band_id}")).to_be_visible()

        # The same band relayed by the edge node (MQTT/HTTP gateway): the board follows over SSE.
        sample = {"band_id": band_id, "sampled_at": datetime.now(UTC).isoformat(), "heart_rate": 133,
                  "skin_temp_c": 35.2, "battery_pct": 56}  # fmt: skip
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            res = await client.post(
                "/api/wearables/readings",
                json={"readings": [sample]},
                headers=device_headers(edge, datetime.now(UTC)),
            )
            assert res.status_code == 200 and res.json()["accepted"] == 1, res.text
        wearer = page.get_by_test_id(f"wearer-{band_id}")
        await expect(wearer).to_contain_text("心率 133")
        await expect(wearer).to_contain_text("体表 35.2 °C")
        await expect(wearer).to_contain_text("电量 56%")

        await page.get_by_test_id(f"assign-{alarm_id}").select_option(label="郑监护")
        await row.get_by_test_id("ack-button").click()
        done = page.get_by_test_id(f"alarm-{alarm_id}").first
        await expect(done.get_by_test_id("alarm-state")).to_have_text("已确认")
        await expect(page.get_by_test_id("kpi-1")).to_contain_text(f"{within + 1}/{raised + 1} 达标")
        async with httpx.AsyncClient(
            base_url=server.base_url, cookies=await _cookies(desk.context)
        ) as client:
            alarm = (await client.get(f"/api/alarms/{alarm_id}")).json()
        assert alarm["assigned_name"] == "郑监护" and alarm["acknowledged_by_name"] == "吴安全"
        await page.screenshot(path=str(SCREENSHOT))
    finally:
        await desk.context.close()


def _kpi(text: str) -> tuple[int, int]:
    found = re.search(r"(\d+)/(\d+) 达标", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


async def _cookies(context: BrowserContext) -> dict[str, str]:
    return {c["name"]: c["value"] for c in await context.cookies()}
