"""Device requests: bearer token stored hashed, a ±5 min timestamp window, and nonces used once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.db.engine import transaction
from backend.devices.models import DeviceStatus, DeviceToken
from backend.devices.service import revoke_tokens
from tests.backend.alarms.plant import device_headers

TELEMETRY = {"position": {"x": 150, "y": 180}, "vitals": {"heart_rate": 88}, "battery_pct": 64}


async def test_token_is_stored_hashed(sessionmaker, plant):
    async with transaction(sessionmaker) as db:
        hashes = list(await db.scalars(select(DeviceToken.token_hash)))
    assert plant.edge_token not in hashes and len(hashes) == 2 and all(len(h) == 64 for h in hashes)


async def test_fresh_signed_requests_pass_and_replays_do_not(app_client, sessionmaker, plant, clock):
    headers = device_headers(plant.wearable_token, clock())
    first = await app_client.post("/api/devices/telemetry", json=TELEMETRY, headers=headers)
    assert first.status_code == 202, first.text
    replay = await app_client.post("/api/devices/telemetry", json=TELEMETRY, headers=headers)
    assert replay.status_code == 409 and replay.json()["code"] == "request_replayed"
    async with transaction(sessionmaker) as db:
        status = await db.get(DeviceStatus, plant.wearable.id)
    assert status is not None and (status.x, status.heart_rate, status.person_id) == (
        150,
        88,
        plant.people["worker"].id,
    )


async def test_stale_unsigned_or_revoked_requests_are_refused(app_client, sessionmaker, plant, clock):
    post = app_client.post
    cases = [
        ({**device_headers(plant.edge_token, clock() - timedelta(minutes=6))}, 401, "request_stale"),
        ({**device_headers(plant.edge_token, clock() + timedelta(minutes=6))}, 401, "request_stale"),
        (
            {**device_headers(plant.edge_token, clock()), "x-tezuo-nonce": "short"},
            401,
            "request_nonce_invalid",
        ),
        ({**device_headers("tzd_not-a-real-token", clock())}, 401, "device_unauthorized"),
        ({"x-tezuo-nonce": "n" * 20}, 401, "device_token_missing"),
    ]
    for headers, status, code in cases:
        res = await post("/api/devices/telemetry", json=TELEMETRY, headers=headers)
        assert (res.status_code, res.json()["code"]) == (status, code), code
    async with transaction(sessionmaker) as db:
        await revoke_tokens(db, plant.edge.id, clock())
    res = await post(
        "/api/devices/telemetry", json=TELEMETRY, headers=device_headers(plant.edge_token, clock())
    )
    assert res.json()["code"] == "device_unauthorized"


async def test_watchers_see_the_site_devices(app_client, client_as, plant, clock):
    report = {
        "health": "degraded",
        "components": [{"name": "3号摄像头", "kind": "camera", "health": "fault"}],
    }
    await app_client.post(
        "/api/devices/telemetry", json=report, headers=device_headers(plant.edge_token, clock())
    )
    officer = await client_as(plant.people["safety_officer"])
    [edge] = (await officer.get(f"/api/devices/status?site_id={plant.org.site_a.id}")).json()
    assert edge["health"] == "degraded" and edge["components"][0]["health"] == "fault" and edge["online"]
    outsider = await client_as(plant.people["safety_officer_b"])
    assert (await outsider.get(f"/api/devices/status?site_id={plant.org.site_a.id}")).status_code == 403
