"""The node against the real app and the real Modbus site: readings, alarms with snapshots, the permit
cache from GET /api/devices/permits (and while the API is down), health, and the node's run loop."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from backend.alarms.models import Alarm
from backend.analytics.models import ScadaSample
from backend.audit.models import AuditEntry
from backend.db.engine import transaction
from backend.devices.models import DeviceCommand, DeviceStatus
from backend.gas.models import GasReading
from backend.gas.service import register_detector
from backend.permits.models import Permit
from edge.node import Node, snapshot
from edge.sim.run import example_site
from edge.sim.scenes import crane
from edge.vision.base import Frame
from edge.vision.scripted import ScriptedDetector
from tests.backend.alarms.plant import make_plant
from tests.edge.support import ServedApi, example_config


@pytest.fixture
async def site(sessionmaker, settings, clock, tmp_path):
    async with transaction(sessionmaker) as db:
        plant = await make_plant(db, settings.secret_key, clock())
        for code, gas in (("GD-101", "methane"), ("GD-102", "hydrogen_sulfide"), ("GD-103", "methane")):
            await register_detector(
                db, plant.area, code, code, gas, "fixed", plant.edge, plant.area.scope_path
            )
    api = ServedApi(settings, clock)
    await api.start()
    sim = example_site("127.0.0.1", 0, leak_after_s=None)
    sim.clock = clock
    port = await sim.start()
    config = example_config(tmp_path, port=port, api=api.url, token=plant.edge_token)
    node = Node(config, clock=clock)
    yield plant, api, sim, node
    await node.close()
    await sim.stop()
    await api.stop()


async def add_permit(sessionmaker, plant, clock, work_type: str) -> None:
    now = clock()
    async with transaction(sessionmaker) as db:
        db.add(
            Permit(
                number=f"ZY-{work_type}",
                work_type=work_type,
                grade="level_2",
                status="active",
                site_id=plant.org.site_a.id,
                area_id=plant.area.id,
                scope_path=plant.area.scope_path,
                applicant_id=plant.people["team_leader"].id,
                content="吊装作业",
                planned_start=now - timedelta(hours=1),
                planned_end=now + timedelta(hours=3),
                valid_until=now + timedelta(hours=3),
            )
        )


async def play_crane(node: Node) -> list[str]:
    camera = node.config.cameras[0]
    detector = ScriptedDetector(camera.detector, crane())  # type: ignore[arg-type]
    kinds = []
    for n in range(24):
        frame = Frame("cam-3", n / 2, np.full((480, 640, 3), 80, np.uint8))
        kinds += [f.kind for f in await node.process_frame(camera, frame, detector)]
    return kinds


async def test_alarms_readings_and_health_reach_the_api(site, sessionmaker):
    plant, _api, sim, node = site
    assert await node.refresh_permits() and node.permits.permits == []
    for d in node.config.gas:
        assert await node.gas.poll(d) is not None
    for p in node.config.scada:  # pump P-3 beside the detectors: vibration and run state
        assert await node.scada.poll(p) is not None
    assert sorted(await play_crane(node)) == ["no_permit_work", "person_under_load"]
    assert await sim.coil(5) is True
    assert await node.uplink.drain() == 3 + 2 + 2
    assert await node.report_health()
    async with transaction(sessionmaker) as db:
        alarms = {a.kind: a for a in await db.scalars(select(Alarm))}
        assert set(alarms) == {"no_permit_work", "person_under_load"}
        unpermitted = alarms["no_permit_work"]
        assert unpermitted.area_id == plant.area.id and unpermitted.tier == 1 and unpermitted.image_path
        assert unpermitted.detail["power_cut_coil"] == 5 and unpermitted.detail["zone"] == "Z-CRANE"
        o2 = await db.scalar(select(GasReading).where(GasReading.o2_percent.is_not(None)))
        assert o2 is not None and o2.o2_percent == pytest.approx(20.9, abs=0.1)
        status = await db.get(DeviceStatus, plant.edge.id)
        assert status is not None and {c["name"] for c in status.components} >= {"GD-101", "plc", "queue"}
        scada = {c["name"]: c for c in status.components if c["kind"] == "scada"}
        assert set(scada) == {"P-3.vibration_hz", "P-3.running"}
        assert all(c["health"] == "ok" for c in scada.values())
        tags = set(await db.scalars(select(ScadaSample.tag).where(ScadaSample.site_id == plant.edge.site_id)))
        assert tags == {"P-3.vibration_hz", "P-3.running"}


async def test_the_permit_cache_decides_offline_and_survives_a_restart(site, sessionmaker, clock, tmp_path):
    plant, api, _sim, node = site
    await add_permit(sessionmaker, plant, clock, "hot_work")
    assert await node.refresh_permits()
    assert [(p.area_code, p.work_type) for p in node.permits.permits] == [("SA-A1", "hot_work")]
    await api.stop()
    assert not await node.refresh_permits()  # offline: the cached permits still decide
    assert sorted(await play_crane(node)) == ["out_of_scope_work", "person_under_load"]
    restarted = Node(node.config, clock=clock, client=httpx.AsyncClient(base_url=api.url))
    try:
        assert [p.number for p in restarted.permits.permits] == ["ZY-hot_work"]
    finally:
        await restarted.client.aclose()
        restarted.outbox.close()


async def test_run_polls_and_uplinks_until_stopped(site, sessionmaker):
    _plant, _api, _sim, node = site
    task = asyncio.create_task(node.run())
    try:
        for _ in range(300):
            async with transaction(sessionmaker) as db:
                got = len(list(await db.scalars(select(GasReading))))
            if got >= 3:
                break
            await asyncio.sleep(0.05)
        assert got >= 3
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_power_cut_stays_latched_until_a_safety_officer_resets_it_through_the_api(
    site, sessionmaker, client_as
):
    plant, _api, sim, node = site
    await play_crane(node)
    assert await sim.coil(5) is True
    assert await node.apply_commands() == 0  # nobody asked: the cut stays
    assert await sim.coil(5) is True

    worker = await client_as(plant.people["worker"])
    body = {"coil": 5, "reason": "吊装作业票已补办，恢复供电"}
    res = await worker.post(f"/api/devices/{plant.edge.id}/interlock-reset", json=body)
    assert res.status_code == 403
    officer = await client_as(plant.people["safety_officer"])
    res = await officer.post(f"/api/devices/{plant.edge.id}/interlock-reset", json=body | {"coil": 7})
    command_id = res.json()["id"]
    res = await officer.post(f"/api/devices/{plant.edge.id}/interlock-reset", json=body)
    assert res.status_code == 201, res.text
    assert (
        await officer.post(f"/api/devices/{plant.edge.id}/interlock-reset", json={"coil": 5})
    ).status_code == 400

    assert await node.apply_commands() == 2
    assert await sim.coil(5) is False and node.interlock is not None and node.interlock.latched == set()
    async with transaction(sessionmaker) as db:
        results = {str(c.id): (c.result, c.payload["coil"]) for c in await db.scalars(select(DeviceCommand))}
        actions = [e.action for e in await db.scalars(select(AuditEntry).order_by(AuditEntry.leaf_index))]
    assert results[command_id] == ("failed", 7)  # coil 7 cuts nothing on this node
    assert sorted(results.values()) == [("done", 5), ("failed", 7)]
    assert actions.count("interlock.reset_requested") == 2 and "interlock.reset_done" in actions
    assert await node.apply_commands() == 0  # nothing pending any more


async def test_a_reset_whose_report_was_lost_is_reported_again_and_never_run_again(site, client_as):
    """A replayed reset would clear a cut that a fresh violation made after it: it must not run twice."""
    plant, _api, sim, node = site
    await play_crane(node)
    assert node.interlock is not None and await sim.coil(5) is True
    officer = await client_as(plant.people["safety_officer"])
    body = {"coil": 5, "reason": "吊装作业票已补办，恢复供电"}
    res = await officer.post(f"/api/devices/{plant.edge.id}/interlock-reset", json=body)
    command_id = res.json()["id"]
    # The node carried the reset out, then its report was lost with the uplink …
    await node.interlock.reset(5, f"command {command_id}")
    node.outbox.remember("carried_out_commands", {command_id: [True, "coil cleared, read back"]})
    # … and before it reconnected, a fresh violation cut the power again.
    await node.interlock.cut_power(5, "no_permit_work in Z-CRANE")
    assert await sim.coil(5) is True

    assert await node.apply_commands() == 1  # the kept outcome is reported
    assert await sim.coil(5) is True  # and the old reset did not clear the new cut
    assert node.outbox.recall("carried_out_commands") == {}
    assert await node.apply_commands() == 0


async def test_an_alarm_too_large_for_the_server_arrives_without_its_snapshot(site, sessionmaker, settings):
    _plant, _api, _sim, node = site
    noise = np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    big = snapshot(noise)
    assert len(big) * 4 / 3 > settings.max_body_bytes  # this test's server takes 64 KiB bodies
    alarm_id = node.raise_alarm("no_helmet", 2, "SA-A1", {"track": 1}, snapshot=big)
    assert await node.uplink.drain() == 1 and node.outbox.dead() == []
    async with transaction(sessionmaker) as db:
        alarm = await db.get(Alarm, uuid.UUID(alarm_id))
    assert alarm is not None and alarm.image_path is None
    assert alarm.detail["snapshot_dropped"] == "413 from the server"
