"""The relay contract: only edge nodes relay, each sample once, the latest never moves back, unknown
bands are named and dropped, a band id names one band, and a relayed alarm is about the band's wearer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.alarms.models import Alarm
from backend.core.errors import Conflict
from backend.db.engine import transaction
from backend.devices.models import DeviceStatus
from backend.devices.service import create_device
from backend.wearables.models import WearableSample
from tests.backend.alarms.plant import alarm_body, device_headers


def sample(at, band, **values):
    return {"band_id": band, "sampled_at": at.isoformat(), **values}


async def relay(app_client, token, clock, readings):
    return await app_client.post(
        "/api/wearables/readings", json={"readings": readings}, headers=device_headers(token, clock())
    )


@pytest.fixture
async def band(sessionmaker, plant, clock):
    async with transaction(sessionmaker) as db:
        device, _ = await create_device(
            db, kind="wearable", name="WB-07", site=plant.org.site_a, person_id=plant.people["worker"].id,
            now=clock(),
        )  # fmt: skip
    return device


async def test_samples_are_stored_once_and_the_latest_never_moves_back(
    app_client, sessionmaker, plant, band, clock
):
    now = clock()
    newer = sample(now, "WB-07", heart_rate=90, position={"x": 200, "y": 150}, battery_pct=70)
    older = sample(now - timedelta(seconds=30), "WB-07", heart_rate=70, position={"x": 120, "y": 120})
    res = await relay(app_client, plant.edge_token, clock, [newer, sample(now, "WB-99", heart_rate=1)])
    assert res.status_code == 200 and res.json() == {"accepted": 1, "unknown_bands": ["WB-99"]}
    res = await relay(app_client, plant.edge_token, clock, [newer, older])  # a resent batch, an old sample
    assert res.json() == {"accepted": 1, "unknown_bands": []}
    async with transaction(sessionmaker) as db:
        count = await db.scalar(select(func.count()).select_from(WearableSample))
        status = await db.get(DeviceStatus, band.id)
    assert count == 2
    assert status is not None and (status.x, status.heart_rate, status.battery_pct) == (200, 90, 70)


async def test_only_edge_nodes_relay_and_bad_bodies_leave_nothing(
    app_client, sessionmaker, plant, band, clock
):
    res = await relay(app_client, plant.wearable_token, clock, [sample(clock(), "WB-07")])
    assert res.status_code == 403 and res.json()["code"] == "device_kind"
    res = await relay(app_client, plant.edge_token, clock, [sample(clock(), "WB-07", heart_rate=999)])
    assert res.status_code == 400
    res = await relay(app_client, plant.edge_token, clock, [])
    assert res.status_code == 400
    async with transaction(sessionmaker) as db:
        assert await db.scalar(select(func.count()).select_from(WearableSample)) == 0


async def test_a_band_id_names_one_band_on_a_site(sessionmaker, plant, band, clock):
    async with transaction(sessionmaker) as db:
        with pytest.raises(Conflict) as taken:
            await create_device(
                db, kind="wearable", name="WB-07", site=plant.org.site_a, person_id=None, now=clock()
            )
        assert taken.value.code == "band_taken"
        await create_device(
            db, kind="wearable", name="WB-07", site=plant.org.site_b, person_id=None, now=clock()
        )


async def test_a_relayed_alarm_is_about_the_bands_wearer_and_an_unknown_band_is_still_raised(
    app_client, sessionmaker, plant, band, clock
):
    known = alarm_body("sos", band_id="WB-07", position={"x": 150, "y": 200})
    del known["area_code"]
    stray = alarm_body("sos", band_id="WB-404")
    for body in (known, stray):
        res = await app_client.post(
            "/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock())
        )
        assert res.status_code == 201, res.text
    async with transaction(sessionmaker) as db:
        alarms = {str(a.id): a for a in await db.scalars(select(Alarm))}
    sos = alarms[known["alarm_id"]]
    assert sos.subject_person_id == plant.people["worker"].id and sos.area_id == plant.area.id  # from x, y
    assert alarms[stray["alarm_id"]].subject_person_id is None


async def test_the_board_reads_a_bands_trail(app_client, client_as, plant, band, clock):
    start = clock()
    readings = [sample(start - timedelta(minutes=m), "WB-07", heart_rate=80 + m) for m in (90, 30, 1)]
    assert (await relay(app_client, plant.edge_token, clock, readings)).json()["accepted"] == 3
    officer = await client_as(plant.people["safety_officer"])
    trail = await officer.get(f"/api/wearables/{band.id}/history", params={"minutes": 60})
    assert [p["heart_rate"] for p in trail.json()] == [110, 81]
    assert (await officer.get(f"/api/wearables/{plant.edge.id}/history")).status_code == 404
    assert (await officer.get(f"/api/wearables/{band.id}/history", params={"minutes": 0})).status_code == 400
