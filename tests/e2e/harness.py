"""The e2e harness: the served app (people are added through the real CLI) and a phone-sized browser."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, CDPSession, Page, ViewportSize

from tests.factories import id_number

PLANT_TZ = timezone(timedelta(hours=8))  # the demo policy's local time (China has no DST)


def plant_today() -> date:
    """Today where the plant is: the app counts days in local time, so between 16:00 and 24:00 UTC
    the UTC date is a day behind the one on the worker's screen."""
    return datetime.now(PLANT_TZ).date()


TEZUO = str(Path(sys.executable).with_name("tezuo"))
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    log: Path
    pwa_dir: Path  # a copy of pwa/dist: a test may change it to play a new release

    def run(self, *args: str) -> str:
        done = subprocess.run([TEZUO, *args], env=self.env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            pytest.fail(f"tezuo {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def add_person(self, name: str, *roles: str, unit: str = "E2E-T1") -> str:
        """`tezuo users add …` and the one-time enrollment URL it prints."""
        role_args = [arg for role in roles for arg in ("--role", role)]
        out = self.run("users", "add", "--name", name, "--id-number", id_number(), "--unit", unit, *role_args)
        found = re.search(rf"{re.escape(self.base_url)}/#/enroll/\S+", out)
        if not found:
            pytest.fail(f"no enrollment URL in `tezuo users add` output:\n{out}")
        return found.group(0)


@dataclass
class Phone:
    """A fresh browser profile on a phone-sized screen, with a platform passkey authenticator."""

    context: BrowserContext
    page: Page
    cdp: CDPSession
    authenticator_id: str

    async def credentials(self) -> list[dict[str, Any]]:
        result = await self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})
        return list(result["credentials"])


async def open_phone(browser: Browser) -> Phone:
    context = await browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    added = await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return Phone(context=context, page=page, cdp=cdp, authenticator_id=added["authenticatorId"])


async def until(check: Any, seconds: float = 20) -> Any:
    """Poll `check` every 50 ms until it returns something truthy, and return that."""
    for _ in range(int(seconds * 20)):
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"not true within {seconds} s")
