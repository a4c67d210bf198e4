"""Push endpoints: the VAPID key, subscriptions per device (validated), unsubscribe, a test push."""

from __future__ import annotations

import base64

from sqlalchemy import select

from backend.db.engine import transaction
from backend.push.ece import UserAgentKeys
from backend.push.models import PushMessage, PushSubscription
from tests.factories import make_org, make_person


async def _person(sessionmaker, settings, name="巡检员乙"):
    async with transaction(sessionmaker) as db:
        org = await make_org(db)
        return await make_person(db, settings.secret_key, org.site_a, name, [("inspector", org.site_a)])


async def test_subscribe_per_device_and_resubscribe_on_the_same_device(sessionmaker, settings, client_as):
    client = await client_as(await _person(sessionmaker, settings))
    key = (await client.get("/api/push/vapid-public-key")).json()["public_key"]
    assert base64.urlsafe_b64decode(key + "==")[0] == 4 and len(base64.urlsafe_b64decode(key + "==")) == 65
    keys = UserAgentKeys.generate().subscription_keys()
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": keys, "expirationTime": None}
    first = await client.post("/api/push/subscriptions", json=body)
    assert first.status_code == 201, first.text
    device_id = first.json()["device_id"]
    # The browser renewed its subscription: same device, new endpoint.
    again = await client.post(
        "/api/push/subscriptions",
        json={**body, "endpoint": "https://fcm.googleapis.com/fcm/send/def", "device_id": device_id},
    )
    assert again.json()["device_id"] == device_id
    async with transaction(sessionmaker) as db:
        subs = list(await db.scalars(select(PushSubscription)))
    assert [s.endpoint for s in subs] == ["https://fcm.googleapis.com/fcm/send/def"]
    assert (await client.delete(f"/api/push/subscriptions/{device_id}")).status_code == 204
    assert (await client.delete(f"/api/push/subscriptions/{device_id}")).status_code == 404


async def test_bad_subscriptions_are_refused(sessionmaker, settings, client_as):
    client = await client_as(await _person(sessionmaker, settings))
    keys = UserAgentKeys.generate().subscription_keys()
    cases = [
        ({"endpoint": "http://push.example.com/x", "keys": keys}, "subscription_endpoint"),  # not HTTPS
        ({"endpoint": "https://push.example.com/x", "keys": {**keys, "auth": "A" * 20}}, "subscription_keys"),
        (
            {"endpoint": "https://push.example.com/x", "keys": {**keys, "p256dh": "A" * 87}},
            "subscription_keys",
        ),
    ]
    for body, code in cases:
        res = await client.post("/api/push/subscriptions", json=body)
        assert res.status_code == 422 and res.json()["code"] == code, res.text
    loopback = await client.post(
        "/api/push/subscriptions", json={"endpoint": "http://127.0.0.1:9/push/x", "keys": keys}
    )
    assert loopback.status_code == 201  # the loopback simulator may use plain HTTP


async def test_test_push_queues_one_message_per_own_device(sessionmaker, settings, client_as):
    client = await client_as(await _person(sessionmaker, settings))
    assert (await client.post("/api/push/test")).json() == {"queued": 0}
    keys = UserAgentKeys.generate().subscription_keys()
    await client.post(
        "/api/push/subscriptions", json={"endpoint": "https://push.example.com/1", "keys": keys}
    )
    assert (await client.post("/api/push/test")).json() == {"queued": 1}
    async with transaction(sessionmaker) as db:
        [message] = list(await db.scalars(select(PushMessage)))
    assert message.kind == "test" and message.payload["type"] == "test"
    anonymous = await client.get("/api/push/vapid-public-key", headers={"cookie": ""})
    assert anonymous.status_code == 401
