"""Wristbands through the node to the real app: MQTT on the real Mosquitto and the node's HTTP
endpoint; SOS, the heart-rate persistence filter, bad payloads dropped and counted, telemetry kept
through an API outage, the board's latest view and history."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from backend.alarms.models import Alarm
from backend.db.engine import transaction
from backend.devices.models import DeviceStatus
from backend.devices.service import create_device
from backend.wearables.models import WearableSample
from edge.node import Node
from edge.rules.permits import ActivePermit
from edge.wearables.payload import Telemetry
from tests.backend.alarms.plant import make_plant
from tests.edge.support import ServedApi, example_config, free_port
from tests.edge.wearables_support import mqtt_running, publisher, unique_topic, wait_until

T0 = 1_795_852_800.0  # 2026-11-28 08:00 UTC, the test clock's start
DRY_PLC = {"bus": "line1", "unit": 100, "alarm_coil": 0, "dry_run": True}  # no Modbus site in these tests


@pytest.fixture
async def site(sessionmaker, settings, clock, tmp_path):
    async with transaction(sessionmaker) as db:
        plant = await make_plant(db, settings.secret_key, clock())
        band, _ = await create_device(
            db, kind="wearable", name="WB-07", site=plant.org.site_a, person_id=plant.people["worker"].id,
            now=clock(),
        )  # fmt: skip
    api = ServedApi(settings, clock)
    await api.start()
    topic = unique_topic()
    http_port = free_port()
    wearables = {
        "mqtt_topic": topic,
        "http_port": http_port,
        "http_token": "band-secret",
        "uplink_every_s": 0,
        "rules": [{"name": "vitals_abnormal", "hold_s": 20, "window_s": 30, "cooldown_s": 300, "tier": 2}],
    }
    config = example_config(tmp_path, api=api.url, token=plant.edge_token, wearables=wearables, plc=DRY_PLC)
    node = Node(config, clock=clock)
    yield plant, band, api, node, topic
    await node.close()
    await api.stop()


async def alarms_of(sessionmaker) -> list[Alarm]:
    async with transaction(sessionmaker) as db:
        return list(await db.scalars(select(Alarm).order_by(Alarm.received_at)))


async def test_an_sos_on_mqtt_is_a_tier_1_alarm_with_its_location_and_wearer(site, sessionmaker):
    plant, _band, _api, node, topic = site
    async with mqtt_running(node), publisher() as publish:
        sos = {"type": "event", "event": "sos", "band": "WB-07", "ts": T0, "pos": {"x": 150, "y": 200}}
        await publish(f"{topic}/WB-07", sos)
        await publish(f"{topic}/WB-07", sos)  # the band resends the press (QoS 1, or a second press)
        await wait_until(lambda: node.wearables.accepted == 2)
    assert await node.uplink.drain() == 1
    (alarm,) = await alarms_of(sessionmaker)
    assert (alarm.kind, alarm.tier, alarm.source) == ("sos", 1, "edge")
    assert (alarm.x, alarm.y) == (150, 200) and alarm.area_id == plant.area.id  # placed on the plan
    assert alarm.subject_person_id == plant.people["worker"].id  # the band's wearer
    assert alarm.detail["band"] == "WB-07"


async def test_a_5_s_heart_rate_spike_is_no_alarm_a_sustained_one_is(site, sessionmaker):
    _plant, _band, _api, node, topic = site
    async with mqtt_running(node), publisher() as publish:

        async def beats(start: float, rates: list[int]) -> None:
            for i, hr in enumerate(rates):
                body = {"type": "telemetry", "band": "WB-07", "ts": start + i, "hr": hr, "moving": True}
                await publish(f"{topic}/WB-07", body)

        await beats(T0, [90] * 5 + [175] * 5 + [92] * 30)  # a ladder climb: 5 s at 175
        await wait_until(lambda: node.wearables.accepted == 40)
        assert [i.kind for i in node.outbox.head(100)].count("alarm") == 0
        await beats(T0 + 100, [178] * 25)  # sustained: 20 s out of band within 30 s
        await wait_until(lambda: node.wearables.accepted == 65)
    assert await node.uplink.drain() == 66  # 65 band samples (uplink_every_s = 0) + one alarm
    (alarm,) = await alarms_of(sessionmaker)
    assert alarm.kind == "vitals_abnormal" and alarm.tier == 2 and alarm.detail["heart_rate"] == 178
    async with transaction(sessionmaker) as db:
        assert len((await db.scalars(select(WearableSample))).all()) == 65


async def test_bad_payloads_are_dropped_counted_and_the_node_goes_on(site, sessionmaker, caplog):
    _plant, _band, _api, node, topic = site
    async with mqtt_running(node), publisher() as publish:
        await publish(f"{topic}/WB-07", b"{not json")
        await publish(f"{topic}/WB-07", b"{not json either")  # logged once per source
        await publish(f"{topic}/WB-07", {"type": "telemetry", "band": "WB-07", "hr": 900})  # out of range
        await publish(f"{topic}/WB-07", {"type": "shout", "band": "WB-07"})  # unknown message
        await publish(f"{topic}/WB-99", {"type": "event", "event": "sos", "band": "WB-07"})  # topic ≠ band
        await wait_until(lambda: sum(node.wearables.dropped.values()) == 5)
        await publish(f"{topic}/WB-07", {"type": "event", "event": "sos", "band": "WB-07", "ts": T0})
        await wait_until(lambda: node.wearables.accepted == 1)
    assert node.wearables.dropped == {"invalid": 4, "band_mismatch": 1}
    logged = [r for r in caplog.records if "band payload" in r.getMessage()]
    assert len(logged) == 2  # mqtt:WB-07 once, mqtt:WB-99 once
    assert "5 dropped" in node.health()["components"][-2]["detail"]
    assert await node.uplink.drain() == 1 and [a.kind for a in await alarms_of(sessionmaker)] == ["sos"]


async def test_telemetry_survives_an_api_outage_and_updates_the_board(site, sessionmaker, client_as, clock):
    plant, band, api, node, topic = site
    await api.stop()
    async with mqtt_running(node), publisher() as publish:
        for i in range(6):
            body = {
                "type": "telemetry", "band": "WB-07", "ts": T0 - 60 + i * 5, "hr": 80 + i,
                "pos": {"x": 120 + i, "y": 130}, "skin_c": 34.5, "amb_c": 31.0, "rh": 55, "battery": 90 - i,
            }  # fmt: skip
            await publish(f"{topic}/WB-07", body)
        await publish(f"{topic}/WB-08", {"type": "telemetry", "band": "WB-08", "ts": T0, "hr": 70})
        await wait_until(lambda: node.wearables.accepted == 7)
    assert await node.uplink.drain() == 0 and node.outbox.depth() == 7  # API down: all kept

    await api.start()
    assert await node.uplink.drain() == 7 and node.outbox.depth() == 0 and node.outbox.dead() == []
    async with transaction(sessionmaker) as db:
        samples = (await db.scalars(select(WearableSample).order_by(WearableSample.sampled_at))).all()
        status = await db.get(DeviceStatus, band.id)
    assert [s.heart_rate for s in samples] == [80, 81, 82, 83, 84, 85]  # WB-08 is no band of the site
    assert status is not None and (status.x, status.heart_rate, status.battery_pct) == (125, 85, 85)
    assert status.body_temp_c == 34.5 and status.humidity_pct == 55

    officer = await client_as(plant.people["safety_officer"])
    board = (await officer.get("/api/alarms/board", params={"site_id": str(plant.org.site_a.id)})).json()
    (worn,) = [d for d in board["devices"] if d["name"] == "WB-07"]
    assert worn["person_name"] == plant.people["worker"].name and worn["online"] is True
    trail = await officer.get(f"/api/wearables/{band.id}/history", params={"minutes": 5})
    assert [p["heart_rate"] for p in trail.json()] == [80, 81, 82, 83, 84, 85]
    other = await client_as(plant.people["safety_officer_b"])
    assert (await other.get(f"/api/wearables/{band.id}/history")).status_code == 403


async def test_the_http_path_takes_bands_with_the_token_and_refuses_bad_bodies(site, sessionmaker):
    plant, _band, _api, node, _topic = site
    task = asyncio.create_task(node.wearables.run_http())
    url = f"http://127.0.0.1:{node.config.wearables.http_port}/bands"
    auth = {"authorization": "Bearer band-secret"}
    gps = {"lat": 31.2285, "lon": 121.472}
    sos = {"type": "event", "event": "sos", "band": "WB-07", "ts": T0, "gps": gps}
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(500):  # the listener is up within a few ms
                with contextlib.suppress(httpx.ConnectError):
                    none = await http.post(url, json=sos)
                    break
                await asyncio.sleep(0.01)
            assert none.status_code == 401
            bad = await http.post(url, content=b'[{"type":"telemetry"}]', headers=auth)
            assert bad.status_code == 400 and bad.json()["code"] == "payload_invalid"
            tick = {"type": "telemetry", "band": "WB-07", "ts": T0, "hr": 88, "battery": 70}
            ok = await http.post(url, json=[tick, sos], headers=auth)
            assert ok.status_code == 202 and ok.json() == {"accepted": 2}
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert node.wearables.dropped["invalid"] == 1
    assert await node.wearables.refresh_bands()
    assert node.wearables.wearers["WB-07"] == plant.people["worker"].name  # band id → wearer, from the API
    assert await node.uplink.drain() == 2
    (alarm,) = await alarms_of(sessionmaker)
    assert alarm.kind == "sos" and alarm.tier == 1 and alarm.lat == 31.2285 and alarm.area_id == plant.area.id


async def test_a_band_gone_silent_during_an_active_permit_is_an_alarm_about_its_wearer(
    site, sessionmaker, clock
):
    plant, _band, _api, node, _topic = site
    valid = clock() + timedelta(hours=2)
    node.permits.permits = [
        ActivePermit(
            number="ZY-7", area_code="SA-A1", work_type="hot_work", status="active", valid_until=valid
        )
    ]
    await node.wearables.handle(Telemetry(band="WB-07", area="SA-A1", hr=90, moving=True))
    clock.advance(seconds=30)
    await node.wearables.check_offline()
    assert [i.kind for i in node.outbox.head(10)] == ["band"]  # silent 30 s: not yet
    clock.advance(seconds=31)
    await node.wearables.check_offline()
    await node.wearables.check_offline()  # once per silence
    assert await node.uplink.drain() == 2
    (alarm,) = await alarms_of(sessionmaker)
    assert alarm.kind == "wearable_offline" and alarm.area_id == plant.area.id
    assert alarm.subject_person_id == plant.people["worker"].id and alarm.detail["permits"] == ["ZY-7"]
