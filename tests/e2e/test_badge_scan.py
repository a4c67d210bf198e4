"""An inspector syncs, goes offline, and verifies a worker's identity code: pasted, tampered, and
read by the camera from a fake video stream of the rendered QR (ZXing in WebAssembly, served by us)."""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
import sqlite3
import statistics
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import qrcode
from openpyxl import Workbook
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright, expect

from backend.people.idnumber import mask
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.harness import Phone, Server, open_phone, plant_today
from tests.factories import id_number

pytestmark = pytest.mark.e2e
W, H = 640, 480
AUDITED = "select count(*) from audit_entries where action = 'badge.scan'"
HERE = {"latitude": 32.0613, "longitude": 118.7778, "accuracy": 8}


def _ledger(path: Path) -> str:
    today = plant_today()
    number = id_number()
    header = ["姓名", "身份证号", "班组", "作业类别", "准操项目", "证书编号", "发证机关"]
    header += ["初领日期", "有效期至"]
    row = ["陈焊工", number, "E2E-T1", "焊接与热切割作业", "熔化焊接与热切割作业", "T" + number]
    row += ["南京市应急管理局", today - timedelta(days=300), today + timedelta(days=1800)]
    wb = Workbook()
    wb.active.append(header)
    wb.active.append(row)
    wb.save(path)
    return number


def _y4m(text: str, path: Path) -> None:
    """A still video (Y4M, 4:2:0) of the QR code, for Chromium's fake camera."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=5)
    qr.add_data(text)
    qr.make(fit=True)
    img = qr.make_image().convert("L")
    side = min(W, H) - 20
    frame = Image.new("L", (W, H), 255)
    frame.paste(img.resize((side, side), Image.Resampling.NEAREST), ((W - side) // 2, (H - side) // 2))
    out = io.BytesIO()
    out.write(f"YUV4MPEG2 W{W} H{H} F5:1 Ip A1:1 C420jpeg\n".encode())
    chroma = bytes([128]) * (W * H // 4)
    for _ in range(3):
        out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    path.write_bytes(out.getvalue())


def _enroll_url(server: Server, number: str) -> str:
    found = re.search(rf"{re.escape(server.base_url)}/#/enroll/\S+", server.run("users", "enroll", number))
    assert found
    return found.group(0)


async def _code_of_worker(server: Server, phone: Phone, number: str) -> str:
    page = phone.page
    await page.goto(_enroll_url(server, number))
    await page.get_by_test_id("enroll-button").click()
    await page.get_by_test_id("link-badge").click()
    qr = page.get_by_test_id("badge-qr")
    await expect(qr).to_be_visible()
    await expect(page.get_by_test_id("badge-countdown")).to_contain_text("剩余有效时间 2")
    clock = page.get_by_test_id("badge-clock")
    first = await clock.text_content()
    await expect(clock).not_to_have_text(first or "", timeout=5000)  # a live clock, not a picture
    text = await qr.get_attribute("data-code")
    assert text and text.startswith("TZ1:")
    # offline, the cached code is still shown
    await phone.context.set_offline(True)
    await page.reload()
    await expect(page.get_by_test_id("badge-qr")).to_have_attribute("data-code", text)
    await phone.context.set_offline(False)
    return text


async def test_inspector_verifies_codes_offline(server: Server, phone: Phone, tmp_path: Path) -> None:
    number = _ledger(tmp_path / "台账.xlsx")
    server.run("import", "workers", str(tmp_path / "台账.xlsx"), "--quiet")
    code = await _code_of_worker(server, phone, number)
    inspector_url = server.add_person("周巡检", "inspector@E2E-S1")
    video = tmp_path / "qr.y4m"
    _y4m(code, video)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    async with async_playwright() as pw:
        browser: Browser = await pw.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        try:
            inspector = await open_phone(browser)
            await inspector.context.grant_permissions(["camera", "geolocation"], origin=server.base_url)
            await inspector.context.set_geolocation(HERE)
            page = inspector.page
            await page.goto(inspector_url)
            await page.get_by_test_id("enroll-button").click()
            await page.get_by_test_id("tab-inspector").click()
            await page.get_by_test_id("link-verify").click()
            await expect(page.get_by_test_id("data-age")).to_contain_text("分钟前")
            me = await page.evaluate("fetch('/api/auth/me').then(r => r.json()).then(m => m.person_id)")
            site = await page.evaluate("fetch('/api/badges/site').then(r => r.json())")
            await inspector.context.set_offline(True)
            await page.reload()  # the page and its data come from the phone alone
            await expect(page.get_by_test_id("data-age")).to_contain_text("分钟前")

            verdict = page.get_by_test_id("verdict")
            await page.get_by_test_id("badge-text").fill(code)
            await page.get_by_test_id("badge-check").click()
            await expect(verdict).to_have_attribute("data-verdict", "green")
            await expect(page.get_by_test_id("verdict-name")).to_have_text("陈焊工")
            await expect(verdict).to_contain_text("通过")

            await page.get_by_test_id("badge-work").select_option("hot_work|operator")
            await page.get_by_test_id("badge-check").click()
            await expect(verdict).to_have_attribute("data-verdict", "green")
            await page.get_by_test_id("badge-work").select_option("lifting|operator")
            await page.get_by_test_id("badge-check").click()
            await expect(verdict).to_have_attribute("data-verdict", "red")
            await expect(verdict).to_contain_text("证书不覆盖本次作业")
            await page.get_by_test_id("badge-work").select_option("")
            await expect(page.get_by_test_id("scan-where")).to_contain_text("已记录定位：±8 米")
            await _permit_pick(page, server, me, site, code, number)
            timings = []
            for _ in range(10):  # figures for docs/BENCHMARKS.md (printed, never asserted)
                await page.get_by_test_id("badge-check").click()
                await expect(verdict).to_have_attribute("data-verdict", "green")
                timings.append(float(await verdict.get_attribute("data-verify-ms") or "nan"))
            print(f"\nverify in Chromium, paste, median of 10: {statistics.median(timings):.2f} ms")

            tampered = code[:40] + ("A" if code[40] != "A" else "B") + code[41:]
            await page.get_by_test_id("badge-text").fill(tampered)
            await page.get_by_test_id("badge-check").click()
            await expect(verdict).to_have_attribute("data-verdict", "red")
            await page.get_by_test_id("badge-text").fill("TZ1:not base45")
            await page.get_by_test_id("badge-check").click()
            await expect(verdict).to_have_attribute("data-codes", "bad_base45")
            await expect(verdict).to_contain_text("二维码内容损坏")

            # the camera: a fake video of the QR, read by ZXing (WebAssembly from our origin)
            await page.get_by_test_id("badge-text").fill("")
            await page.get_by_test_id("badge-camera").click()
            await expect(verdict).to_have_attribute("data-verdict", "green", timeout=20_000)
            await expect(page.get_by_test_id("badge-text")).to_have_value(code)
            ms = float(await verdict.get_attribute("data-verify-ms") or "nan")
            print(f"verify in Chromium, camera scan (ZXing decoding alongside): {ms:.2f} ms")
            await page.get_by_test_id("badge-camera").click()

            # every shared vector, still offline, on this page with the vector's keys and clock
            vector_verdicts = await _every_vector(page, me)

            # back online, the scans reach the server and its audit log
            # (a page reloaded offline may keep navigator.onLine true and miss the `online` event, so
            # the inspector taps "待同步" — the app's own "sync now" — instead of waiting for backoff)
            await inspector.context.set_offline(False)
            await expect(page.get_by_test_id("sync-pending")).to_be_visible()
            await page.get_by_test_id("sync-pending").click()
            # done = neither "待同步" nor "同步中": closing the browser while a push is in flight
            # would abort it (the scans would wait for the next time the app opens)
            busy = page.locator('[data-testid="sync-pending"], [data-testid="sync-state"]')
            await expect(busy).to_have_count(0, timeout=30_000)
        finally:
            await browser.close()
    # 18 scans (3 pasted with and without a work type, 2 with a picked permit, 2 broken codes,
    # 10 timed, 1 by the camera), then one per vector.
    total = 18 + len(vector_verdicts)
    # The badge hides while a push is in flight, so wait for the rows rather than for the badge.
    verdicts: list[str] = []
    for _ in range(100):
        db = sqlite3.connect(Path(server.env["TEZUO_DATA_DIR"]) / "tezuo.sqlite3")
        try:
            verdicts = [v for (v,) in db.execute("select verdict from badge_scans order by scanned_at")]
            audited = db.execute(AUDITED).fetchone()[0]
            where = set(db.execute("select lat, lon, accuracy from badge_scans"))
            permits = [
                n for (n,) in db.execute("select count(*) from badge_scans where permit_id is not null")
            ]
        finally:
            db.close()
        if len(verdicts) >= total:
            break
        await asyncio.sleep(0.2)
    assert len(verdicts) == total, verdicts
    assert verdicts.count("red") == 4 + vector_verdicts.count("red")
    assert where == {(HERE["latitude"], HERE["longitude"], 8.0)}  # every scan carries the position
    assert permits == [2]
    assert verdicts.count("amber") == vector_verdicts.count("amber")
    assert audited == total


async def _permit_pick(
    page: Page, server: Server, me: str, site: dict[str, Any], code: str, number: str
) -> None:
    """Offline, a site bundle with two permits in force (as `/api/badges/site` lists them): the
    worker is an operator on one (hot work: their certificate covers it) and on neither role of
    the other. Picking a permit checks the worker against it."""
    db = sqlite3.connect(Path(server.env["TEZUO_DATA_DIR"]) / "tezuo.sqlite3")
    try:
        # this test's 陈焊工 (a rerun, or another test, may have added people of the same name)
        query = "select id from people where name = '陈焊工' and id_number_masked = ?"
        (hexid,) = db.execute(query, (mask(number),)).fetchone()
    finally:
        db.close()
    welder = str(uuid.UUID(hex=hexid))
    hot = next(w for w in site["work_types"] if w["code"] == "hot_work")
    base = {"grade": "2", "status": "active", "area_code": "T-101", "area_name": "罐区 T-101"}
    base |= {"valid_until": int(datetime.now(UTC).timestamp()) + 3600, "work_type": "hot_work"}
    site["permits"] = [
        base
        | {
            "id": str(uuid.uuid4()),
            "number": "DH-ON",
            "people": {welder: ["operator"]},
            "needs": hot["roles"],
        },
        base
        | {"id": str(uuid.uuid4()), "number": "DH-OFF", "people": {me: ["applicant"]}, "needs": hot["roles"]},
    ]
    site["fetched_at"] = int(datetime.now(UTC).timestamp() * 1000)
    await page.evaluate(PUT_SITE, [f"tezuo-badges-{me}", site])
    await page.reload()
    verdict = page.get_by_test_id("verdict")
    picker = page.get_by_test_id("badge-permit")
    await picker.select_option(label="DH-ON · 动火作业 · 罐区 T-101")
    await expect(page.get_by_test_id("badge-work")).to_be_disabled()
    await page.get_by_test_id("badge-text").fill(code)
    await page.get_by_test_id("badge-check").click()
    await expect(verdict).to_have_attribute("data-verdict", "green")
    await expect(page.get_by_test_id("scan-where")).to_be_visible()
    await picker.select_option(label="DH-OFF · 动火作业 · 罐区 T-101")
    await page.get_by_test_id("badge-check").click()
    await expect(verdict).to_have_attribute("data-codes", "not_on_permit")
    await expect(verdict).to_contain_text("不在所选作业票的作业人员中")
    await expect(page.get_by_test_id("scan-where")).to_be_visible()
    await picker.select_option("")


VECTORS = json.loads((Path(__file__).resolve().parents[2] / "pwa/src/badges/vectors.json").read_text())
PUT_SITE = """async ([name, bundle]) => {
  const db = await new Promise((ok, fail) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
  await new Promise((ok, fail) => {
    const tx = db.transaction("kv", "readwrite");
    tx.objectStore("kv").put(bundle, "site");
    tx.oncomplete = ok;
    tx.onerror = () => fail(tx.error);
  });
  db.close();
}"""


async def _every_vector(page: Page, me: str) -> list[str]:
    """The scan page itself, offline, on each vector of pwa/src/badges/vectors.json: the vector's
    trust list and synced data are put where a sync would have put them, the page's clock is the
    vector's, and the code is pasted. Returns the verdicts, in the order scanned."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for case in VECTORS["cases"]:
        if case["synced"] is None:
            continue  # the page needs a synced bundle to scan at all ("no synced data" runs in vitest)
        groups.setdefault(json.dumps([case["synced"], case["required"], case["now"]]), []).append(case)
    assert sum(len(g) for g in groups.values()) >= 30
    verdict = page.get_by_test_id("verdict")
    seen: list[str] = []
    for cases in groups.values():
        first = cases[0]
        roles = {"operator": first["required"] or []}
        bundle = {
            "root": VECTORS["root"],
            "trust_list": VECTORS["trust_list"],
            "synced": first["synced"],
            "photos": {},
            "work_types": [{"code": "vector", "name": "向量", "name_en": "vector", "roles": roles}],
            "fetched_at": first["now"] * 1000,
        }
        await page.evaluate(PUT_SITE, [f"tezuo-badges-{me}", bundle])
        await page.clock.set_fixed_time(datetime.fromtimestamp(first["now"], UTC))
        await page.reload()
        await expect(page.get_by_test_id("badge-work")).to_be_visible()
        if first["required"] is not None:
            await page.get_by_test_id("badge-work").select_option("vector|operator")
        for scans, case in enumerate(cases, start=1):
            await page.get_by_test_id("badge-text").fill(case["text"])
            await page.get_by_test_id("badge-check").click()
            await expect(verdict).to_have_attribute("data-scans", str(scans))
            expected = case["expect"]
            codes = await verdict.get_attribute("data-codes")
            assert await verdict.get_attribute("data-verdict") == expected["verdict"], (case["name"], codes)
            assert await verdict.get_attribute("data-codes") == ",".join(expected["codes"]), case["name"]
            if expected["name"]:
                await expect(page.get_by_test_id("verdict-name")).to_have_text(expected["name"])
            await expect(page.get_by_test_id("scan-where")).to_be_visible()  # in the outbox
            seen.append(expected["verdict"])
    return seen
