"""The push-service simulator checks what a real push service checks, and plays faults on request."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from backend.push.ece import UserAgentKeys
from backend.push.simulator import PushSimulator
from backend.push.vapid import VapidSigner, load_or_create
from backend.push.webpush import PushResult, Target, WebPushSender
from tests.backend.push.support import eventually


@pytest.fixture
def sender(tmp_path):
    return WebPushSender(VapidSigner(load_or_create(tmp_path), "mailto:safety@localhost"))


def _target(sim: PushSimulator, keys: UserAgentKeys | None = None) -> tuple[Target, str]:
    sub = sim.new_subscription()
    k = (keys or UserAgentKeys.generate()).subscription_keys()
    return Target(sub["endpoint"], k["p256dh"], k["auth"]), sub["token"]


async def _send(sender: WebPushSender, target: Target, body: bytes = b'{"x":1}') -> PushResult:
    return await sender.send(target, body, ttl=60, urgency="high", topic="t1")


async def test_accepts_a_signed_encrypted_message_and_records_it(push_sim, sender):
    target, token = _target(push_sim)
    result = await _send(sender, target)
    assert result.accepted and result.status == 201
    [record] = push_sim.deliveries
    assert record["token"] == token and record["ttl"] == 60 and record["urgency"] == "high"
    assert record["topic"] == "t1" and record["vapid_sub"] == "mailto:safety@localhost"
    assert base64.b64decode(record["body"])[:16] != b'{"x":1}'  # encrypted, not plain
    await sender.aclose()


async def test_decrypts_when_it_made_the_browser_keys(push_sim, sender):
    sub = push_sim.new_subscription(generate_keys=True)
    target = Target(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"])
    assert (await _send(sender, target, b'{"alarm_id":"A"}')).accepted
    assert push_sim.deliveries[0]["plaintext"] == {"alarm_id": "A"}
    await sender.aclose()


async def test_rejects_a_forged_or_misaddressed_vapid_token(push_sim, tmp_path):
    target, _ = _target(push_sim)
    async with httpx.AsyncClient() as client:
        base = {"TTL": "60", "Content-Encoding": "aes128gcm"}
        for auth in ("", "WebPush abc", "vapid t=a.b.c,k=BAAA"):
            res = await client.post(
                target.endpoint, content=b"x" * 100, headers={**base, "Authorization": auth}
            )
            assert res.status_code == 401, auth
        # A real signature for another push service's origin is refused too.
        signer = VapidSigner(load_or_create(tmp_path / "k"), "mailto:a@localhost")
        other = signer.header("https://fcm.googleapis.com/fcm/send/x")
        res = await client.post(target.endpoint, content=b"x" * 100, headers={**base, "Authorization": other})
        assert res.status_code == 401 and "aud" in res.json()["error"]
        # A token verified once is remembered; the same token with a byte of its signature changed is not.
        good = signer.header(target.endpoint)
        assert (
            await client.post(target.endpoint, content=b"x", headers={**base, "Authorization": good})
        ).status_code != 401
        head, _, rest = good.partition(",")
        forged = head[:-2] + ("A" if head[-2] != "A" else "B") + head[-1] + "," + rest
        res = await client.post(target.endpoint, content=b"x", headers={**base, "Authorization": forged})
        assert res.status_code == 401, forged
    assert len(push_sim.deliveries) <= 1


async def test_plays_an_outage_with_retry_after_then_recovers(push_sim, sender):
    target, _ = _target(push_sim)
    push_sim.control({"fail_seconds": 30, "fail_status": 503, "retry_after": 2})
    result = await _send(sender, target)
    assert result.status == 503 and result.retryable and result.retry_after == 2
    push_sim.control({"fail_seconds": 0})
    assert (await _send(sender, target)).accepted
    assert push_sim.stats()["attempts"] == {"201": 1, "503": 1}
    await sender.aclose()


async def test_answers_410_for_an_expired_subscription(push_sim, sender):
    target, token = _target(push_sim)
    push_sim.control({"gone": [token]})
    result = await _send(sender, target)
    assert result.status == 410 and result.gone and not result.retryable
    await sender.aclose()


async def test_a_held_request_whose_sender_vanishes_is_never_accepted(push_sim, sender):
    target, _ = _target(push_sim)
    push_sim.control({"hold": True})
    sending = asyncio.create_task(_send(sender, target))
    await eventually(lambda: push_sim.held)
    sending.cancel()  # the sender dies mid-request
    await sender.aclose()
    await eventually(lambda: not push_sim.held)
    push_sim.control({"hold": False})
    assert push_sim.deliveries == []


async def test_speaks_http_on_its_socket(push_sim):
    async with httpx.AsyncClient(base_url=push_sim.origin) as client:
        sub = (await client.post("/subscriptions", json={"generate_keys": True})).json()
        assert sub["endpoint"].startswith(push_sim.origin + "/push/") and "p256dh" in sub["keys"]
        assert (await client.post("/control", json={"fail_seconds": 1})).status_code == 200
        assert (await client.get("/deliveries")).json()["delivered"] == 0
        assert (await client.delete("/deliveries")).status_code == 204
