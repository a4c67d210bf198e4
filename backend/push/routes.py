"""Push endpoints: the VAPID key for `PushManager.subscribe`, subscriptions per device, a test push."""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody
from py_vapid import Vapid02

from backend.core.ids import uuid7
from backend.http.deps import Caller, Conf, Db, Now
from backend.push import service, subscriptions
from backend.push.schemas import SubscriptionIn, SubscriptionOut, TestPushOut, VapidKeyOut
from backend.push.vapid import application_server_key, load_or_create


@cache
def vapid_key(keys_dir: Path) -> Vapid02:
    return load_or_create(keys_dir)


class PushController(Controller):
    path = "/api/push"
    tags = ["push"]

    @get("/vapid-public-key", operation_id="getVapidPublicKey")
    async def public_key(self, principal: Caller, settings: Conf) -> VapidKeyOut:
        return VapidKeyOut(public_key=application_server_key(vapid_key(settings.keys_dir)))

    @post("/subscriptions", operation_id="subscribePush")
    async def subscribe(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SubscriptionIn],
        db: Db,
        principal: Caller,
        now: Now,
    ) -> SubscriptionOut:
        sub = await subscriptions.subscribe(
            db, principal.person_id, data, now, request.headers.get("user-agent", "")
        )
        return SubscriptionOut(device_id=sub.device_id, endpoint=sub.endpoint)

    @delete("/subscriptions/{device_id:uuid}", operation_id="unsubscribePush")
    async def unsubscribe(self, db: Db, principal: Caller, device_id: FromPath[uuid.UUID]) -> None:
        await subscriptions.unsubscribe(db, principal.person_id, device_id)

    @post("/test", operation_id="sendTestPush")
    async def test(self, db: Db, principal: Caller, now: Now) -> TestPushOut:
        """A test notification to each of the caller's own devices (the PWA's "test" button)."""
        payload = {
            "v": 1,
            "type": "test",
            "title": "特作 · 推送测试",
            "body": "本设备已能接收报警推送。This device receives alarm notifications.",
            "tag": "test",
            "url": "/#/alarms",
        }
        queued = await service.enqueue(
            db,
            person_ids=[principal.person_id],
            payload=payload,
            urgency="normal",
            ttl=600,
            dedupe_key=f"test:{uuid7()}",
            now=now,
            kind="test",
        )
        return TestPushOut(queued=queued)
