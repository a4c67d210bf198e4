"""A worker points the phone camera (Chromium's fake camera playing a rendered certificate) at
their 特种作业操作证; the fields the server read appear on screen for review."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.async_api import async_playwright, expect

from backend.media import cardgen, samples
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.harness import Server, open_phone
from tests.factories import id_number

pytestmark = pytest.mark.e2e
FRAME = (1280, 720)


def write_y4m(path: Path, rgb: Image.Image, frames: int = 5) -> None:
    """A YUV4MPEG2 (4:2:0) file Chromium's fake camera plays in a loop."""
    w, h = rgb.size
    ycbcr = rgb.convert("YCbCr")
    y, cb, cr = (np.asarray(c) for c in ycbcr.split())
    half = (w // 2, h // 2)
    planes = y.tobytes() + b"".join(
        np.asarray(Image.fromarray(c).resize(half, Image.Resampling.BILINEAR)).tobytes() for c in (cb, cr)
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


def camera_view(card: cardgen.Card) -> Image.Image:
    """The card held inside the framing guide, on a desk."""
    rng = random.Random(3)
    clean = cardgen.draw_card(card, samples.astronaut_portrait(), cardgen.fonts()[0])
    photo = cardgen.degrade(clean, rng, strength=0.3)
    frame = Image.new("RGB", FRAME, (90, 80, 70))
    photo.thumbnail((int(FRAME[0] * 0.92), int(FRAME[1] * 0.92)))
    frame.paste(photo, ((FRAME[0] - photo.width) // 2, (FRAME[1] - photo.height) // 2))
    return frame


async def test_camera_photo_of_a_certificate_shows_the_parsed_fields(server: Server, tmp_path: Path) -> None:
    ident = id_number()
    out = server.run(
        "users", "add", "--name", "周焊工", "--id-number", ident, "--unit", "E2E-T1", "--role", "worker"
    )
    enroll = re.search(rf"{re.escape(server.base_url)}/#/enroll/\S+", out)
    assert enroll, out
    card = cardgen.random_card(random.Random(9), "mem")
    card.id_number, card.number, card.name = ident, "T" + ident, "周焊工"
    video = tmp_path / "card.y4m"
    write_y4m(video, camera_view(card))

    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    args.append(f"--use-file-for-fake-video-capture={video}")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=args)
        phone = await open_phone(browser)
        page = phone.page
        await page.goto(enroll.group(0))
        await page.get_by_test_id("enroll-button").click()
        await page.get_by_test_id("link-certificates").click()
        await page.get_by_test_id("link-scan").click()
        await expect(page.get_by_test_id("scan-guide")).to_be_visible(timeout=20_000)
        await expect(page.get_by_test_id("scan-capture")).to_be_enabled()
        await page.get_by_test_id("scan-capture").click()
        result = page.get_by_test_id("scan-result")
        await expect(result).to_be_visible(timeout=90_000)
        field = lambda name: page.get_by_test_id(f"field-{name}").get_by_test_id("field-value")  # noqa: E731
        await expect(field("name")).to_have_text("周焊工")
        await expect(field("number")).to_have_text("T" + ident[:4] + "*" * 10 + ident[-4:])  # masked
        await expect(field("item_key")).to_have_text(card.item_key)
        await expect(field("valid_until")).to_have_text(card.valid_until)
        await expect(field("authority")).to_have_text(card.authority)
        await expect(result).to_contain_text("等待人事或安全员审核确认")
        await expect(result.locator('[data-code="id_mismatch"]')).to_have_count(0)

        # The liveness page: consent first; the face model's weights come from our own origin.
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        await page.goto(f"{server.base_url}/#/liveness")
        await page.get_by_test_id("consent-grant").click()
        await page.get_by_test_id("live-start").click()  # no enrolled face yet: no challenge
        await expect(page.get_by_text("尚未登记人脸")).to_be_visible(timeout=20_000)
        me = await (await page.request.get(f"{server.base_url}/api/auth/me")).json()
        enrolled = await page.request.post(
            f"{server.base_url}/api/media/faces/{me['person_id']}/enrolment",
            data=samples.jpeg_bytes(np.asarray(samples.astronaut_portrait())),
            headers={"content-type": "image/jpeg"},
        )
        assert enrolled.status == 201, await enrolled.text()
        await page.get_by_test_id("live-start").click()
        await expect(page.get_by_test_id("live-steps")).to_be_visible(timeout=20_000)
        # A card held still in front of the camera is no live face: the server refuses it.
        await expect(page.get_by_test_id("live-result")).to_contain_text("未通过", timeout=90_000)
        # The camera is off once the clip is recorded: that also ends the on-phone guidance loop.
        camera = page.get_by_test_id("liveness-page").locator("video")
        assert await camera.evaluate("v => v.srcObject") is None
        assert f"{server.base_url}/models/human/blazeface.json" in requests
        assert all(u.startswith((server.base_url, "blob:", "data:")) for u in requests), requests
        await browser.close()
