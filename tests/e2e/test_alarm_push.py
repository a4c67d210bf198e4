"""A real alarm pushed into the PWA's service worker through Chromium's DevTools protocol; 确认 from the
notification works, offline too (queued, then sent by a background sync).

The chain: an edge node's ingest → `tezuo serve` routes the alarm → its delivery worker pushes it,
encrypted, to the push-service simulator on loopback → this test decrypts it with the browser's
subscription key → `ServiceWorker.deliverPushMessage` hands it to the worker, as the browser's
push service would.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from backend.push.ece import UserAgentKeys, decrypt
from backend.push.simulator import PushSimulator
from tests.backend.alarms.plant import device_headers
from tests.e2e.harness import Phone, Server, until

pytestmark = pytest.mark.e2e
SCREENSHOT = Path(tempfile.gettempdir()) / "tezuo-alarms.png"

NOTIFICATIONS = """() => navigator.serviceWorker.ready
  .then((reg) => reg.getNotifications())
  .then((list) => list.map((n) => ({
    title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction,
    actions: n.actions.map((a) => a.action), alarm: n.data && n.data.alarm_id,
  })))"""
# A click on the notification's 确认 button, dispatched inside the worker (DevTools cannot click
# notifications). The handler starts its work before calling waitUntil, which refuses a synthetic event.
CLICK_ACK = """async () => {
  const [notification] = await self.registration.getNotifications();
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification, action: "ack" }));
  return notification.tag;
}"""
# Undecided ops in every person's sync outbox (pwa/src/sync/store.ts), as "kind:entity_id".
OUTBOX = """async () => {
  const names = (await indexedDB.databases()).map((d) => d.name)
    .filter((n) => n && n.startsWith("tezuo-sync-"));
  const found = [];
  for (const name of names) {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result);
    });
    const all = await new Promise((resolve) => {
      const get = db.transaction("outbox").objectStore("outbox").getAll();
      get.onsuccess = () => resolve(get.result);
    });
    db.close();
    for (const r of all) if (r.acked_seq === null) found.push(r.op.kind + ":" + r.op.entity_id);
  }
  return found;
}"""


async def _cookies(context: Any) -> dict[str, str]:
    return {c["name"]: c["value"] for c in await context.cookies()}


async def test_pushed_alarm_notification_and_acknowledge_offline(
    server: Server, phone: Phone, push_service: PushSimulator
) -> None:
    page, context = phone.page, phone.context
    await page.goto(server.add_person("周监护", "guardian"))
    await page.get_by_test_id("enroll-button").click()
    await expect(page.get_by_test_id("home")).to_be_visible()
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()
    await context.grant_permissions(["notifications"], origin=server.base_url)

    # This browser's subscription, pointing at the loopback push service.
    keys, endpoint = UserAgentKeys.generate(), push_service.new_subscription()
    res = await page.request.post(
        f"{server.base_url}/api/push/subscriptions",
        data={"endpoint": endpoint["endpoint"], "keys": keys.subscription_keys()},
    )
    assert res.status == 201, await res.text()

    # An edge node on the site raises a tier-1 alarm (a person under the crane's load).
    token = re.search(
        r"token (\S+)", server.run("devices", "add", "--kind", "edge", "--name", "塔吊", "--site", "E2E-S1")
    )
    assert token
    alarm_id = str(uuid.uuid4())
    body = {"alarm_id": alarm_id, "kind": "person_under_load", "raised_at": datetime.now(UTC).isoformat()}
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        ingest = await client.post(
            "/api/alarms/ingest", json=body, headers=device_headers(token.group(1), datetime.now(UTC))
        )
    assert ingest.status_code == 201, ingest.text

    async def delivered() -> list[dict[str, Any]]:
        return push_service.deliveries

    [record] = await until(delivered)
    payload = decrypt(base64.b64decode(record["body"]), keys).decode()
    assert alarm_id in payload

    registrations: list[dict[str, Any]] = []
    phone.cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"])
    )
    await phone.cdp.send("ServiceWorker.enable")

    async def registered() -> list[dict[str, Any]]:
        return [r for r in registrations if not r.get("isDeleted")]

    registration = (await until(registered))[-1]["registrationId"]  # the newest: this page's
    push = {"origin": server.base_url, "registrationId": registration, "data": payload}

    async def shown() -> list[dict[str, Any]]:
        return list(await page.evaluate(NOTIFICATIONS))

    # Once in a full e2e run on the loaded 2-core machine a delivered push showed nothing within 20 s
    # (the worker may still have been starting). Deliver again until the notification shows, at most
    # 10 times, 2 s apart — a real push service retries too; the same tag means a second delivery
    # replaces the first, as checked below.
    for _ in range(10):
        await phone.cdp.send("ServiceWorker.deliverPushMessage", push)
        with contextlib.suppress(AssertionError):
            [note] = await until(shown, 2)
            break
    else:
        raise AssertionError("no notification after 10 deliveries")
    assert note["title"] == "一级报警：吊装半径内站人" and "一号厂区" in note["body"]
    assert note["requireInteraction"] is True and note["actions"] == ["ack", "view"]
    assert note["tag"] == f"alarm:{alarm_id}" and note["alarm"] == alarm_id
    # The same alarm pushed again (a resend after a server crash) replaces it: still one notification.
    await phone.cdp.send("ServiceWorker.deliverPushMessage", push)
    await asyncio.sleep(0.5)
    assert len(await shown()) == 1

    # 确认 on the lock screen while the phone has no signal: the acknowledgement waits in the
    # person's sync outbox as the guarded op `alarm.ack`.
    await context.set_offline(True)
    [worker] = context.service_workers
    assert await worker.evaluate(CLICK_ACK) == f"alarm:{alarm_id}"

    async def queued() -> list[str]:
        return list(await page.evaluate(OUTBOX))

    assert await until(queued) == [f"alarm.ack:{alarm_id}"]
    async with httpx.AsyncClient(base_url=server.base_url, cookies=await _cookies(context)) as client:
        waiting = (await client.get(f"/api/alarms/{alarm_id}")).json()
    assert waiting["state"] == "notified", "not acknowledged while the phone is offline"

    # Back online: the browser's background sync wakes the worker, which has the open page sync;
    # the server decides the op and records who answered.
    await context.set_offline(False)
    await phone.cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": server.base_url,
            "registrationId": registration,
            "tag": "tezuo-sync",
            "lastChance": False,
        },
    )

    async def acknowledged() -> dict[str, Any] | None:
        answer = await page.request.get(f"{server.base_url}/api/alarms/{alarm_id}")
        data = await answer.json()
        return data if data.get("state") == "acknowledged" else None

    alarm = await until(acknowledged)
    assert alarm["acknowledged_by_name"] == "周监护" and alarm["response_seconds"] is not None
    assert await queued() == []
    # …and the app's alarm list says so.
    await page.get_by_test_id("nav-alarms").click()
    row = page.get_by_test_id(f"alarm-{alarm_id}")
    await expect(row.get_by_test_id("alarm-state")).to_have_text("已确认")
    await expect(row.get_by_test_id("ack-button")).to_have_count(0)
    await expect(page.get_by_test_id("sos-card")).to_be_visible()  # a guardian can raise an SOS
    await page.screenshot(path=str(SCREENSHOT), full_page=True)
