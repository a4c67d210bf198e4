"""Behaviour rules on scripted detection streams, through the persistence filter, permits and the PLC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from edge.node import Node
from edge.rules.engine import RuleEngine
from edge.rules.permits import ActivePermit, PermitBook
from edge.sim.scenes import Scene, Segment, crane, harness
from edge.sim.site import ModbusSite
from edge.vision.base import Detection, Frame
from edge.vision.scripted import ScriptedDetector
from tests.edge.support import example_config

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def play(engine: RuleEngine, scene: Scene, fps: float = 2.0) -> list[tuple[float, str]]:
    fired = []
    n = 0
    while n / fps < scene.duration_s:
        t = n / fps
        fired += [(t, f.kind) for f in engine.process(t, NOW, scene.at(t))]
        n += 1
    return fired


def engine_for(tmp_path, permits: PermitBook | None = None) -> RuleEngine:
    config = example_config(tmp_path)
    return RuleEngine("cam-3", config.zones, config.rules, permits or PermitBook(), lambda codes: True)


def lifting_permit(work_type: str = "lifting") -> ActivePermit:
    return ActivePermit(
        number="DZ-1",
        area_code="SA-A1",
        work_type=work_type,
        status="active",
        valid_until=NOW + timedelta(hours=4),
    )


def test_a_two_second_harness_adjustment_is_not_an_alarm(tmp_path):
    book = PermitBook([lifting_permit("work_at_height")])
    assert play(engine_for(tmp_path, book), harness(2)) == []


def test_ten_seconds_unclipped_at_height_is_one_alarm(tmp_path):
    book = PermitBook([lifting_permit("work_at_height")])
    fired = play(engine_for(tmp_path, book), harness(10))
    assert [k for _t, k in fired] == ["no_harness"]
    assert fired[0][0] == pytest.approx(5 + 5, abs=0.5)  # unclipped at 5 s, held 5 s


def test_crane_radius_without_a_lifting_permit_is_unpermitted_work_and_a_person_under_load(tmp_path):
    kinds = [k for _t, k in play(engine_for(tmp_path), crane())]
    assert sorted(kinds) == ["no_permit_work", "person_under_load"]


def test_an_active_lifting_permit_makes_it_permitted_and_a_hot_work_permit_is_out_of_scope(tmp_path):
    assert [k for _t, k in play(engine_for(tmp_path, PermitBook([lifting_permit()])), crane())] == [
        "person_under_load"
    ]
    kinds = [k for _t, k in play(engine_for(tmp_path, PermitBook([lifting_permit("hot_work")])), crane())]
    assert sorted(kinds) == ["out_of_scope_work", "person_under_load"]
    expired = ActivePermit(
        number="DZ-0",
        area_code="SA-A1",
        work_type="lifting",
        status="active",
        valid_until=NOW - timedelta(minutes=1),
    )
    assert "no_permit_work" in [k for _t, k in play(engine_for(tmp_path, PermitBook([expired])), crane())]


def test_crowding_flame_no_go_and_unventilated_confined_space(tmp_path):
    config = example_config(tmp_path)
    gas = {"ok": False}
    engine = RuleEngine("cam-3", config.zones, config.rules, PermitBook(), lambda codes: gas["ok"])
    manhole = (20.0, 380.0, 60.0, 460.0)  # feet inside Z-MANHOLE
    scene = Scene(
        name="manhole",
        duration_s=12,
        segments=[Segment(id=i, from_s=0, to_s=12, box=manhole, attrs={"helmet": True}) for i in (1, 2, 3)]
        + [Segment(id=50, label="cigarette", from_s=0, to_s=12, box=(290.0, 300.0, 300.0, 310.0))],
    )
    kinds = sorted(k for _t, k in play(engine, scene))
    assert kinds == ["confined_space_unventilated", "manhole_crowding", "no_permit_work", "smoking_or_flame"]
    gas["ok"] = True
    engine = RuleEngine("cam-3", config.zones, config.rules, PermitBook(), lambda codes: gas["ok"])
    assert "confined_space_unventilated" not in [k for _t, k in play(engine, scene)]


def test_a_tracker_keeps_ids_and_ppe_boxes_become_attributes(tmp_path):
    engine = engine_for(tmp_path, PermitBook([lifting_permit("work_at_height")]))
    fired = []
    for n in range(30):  # a detector's view: no track ids, a no_helmet box on the person's head
        t = n / 2
        x = 100 + n  # walking slowly
        person = Detection("person", 0.8, (x, 100.0, x + 60.0, 260.0))
        head = Detection("no_helmet", 0.7, (x + 20.0, 100.0, x + 40.0, 120.0))
        fired += [f.kind for f in engine.process(t, NOW, [person, head])]
    assert fired == ["no_helmet"]  # one person, one track, one alarm (cooldown 120 s)


async def test_unpermitted_work_in_the_crane_radius_cuts_power_on_the_plc_within_the_frame(tmp_path):
    sim = ModbusSite([], plc_unit=100)
    port = await sim.start()
    config = example_config(tmp_path, port=port)
    node = Node(config, clock=lambda: NOW)
    detector = ScriptedDetector(config.cameras[0].detector, crane())  # type: ignore[arg-type]
    image = np.zeros((480, 640, 3), np.uint8)
    try:
        cut_at = None
        for n in range(40):
            frame = Frame("cam-3", n / 2, image)
            fired = await node.process_frame(config.cameras[0], frame, detector)
            if any(f.kind == "no_permit_work" for f in fired):
                cut_at = frame.t
                assert await sim.coil(5) is True  # set and read back before the frame is done
                assert await sim.coil(0) is True  # tier 1: the site's audible/visual alarm
                break
            assert await sim.coil(5) is False
        assert cut_at is not None
        alarms = [i.body for i in node.outbox.head(10) if i.kind == "alarm"]
        unpermitted = next(a for a in alarms if a["kind"] == "no_permit_work")
        assert unpermitted["area_code"] == "SA-A1" and unpermitted["detail"]["power_cut_coil"] == 5
        assert unpermitted["snapshot_jpeg"]
        assert node.interlock is not None and node.interlock.latched == {5}
    finally:
        await node.close()
        await sim.stop()


async def test_dry_run_records_the_cut_but_leaves_the_coil_alone(tmp_path):
    sim = ModbusSite([], plc_unit=100)
    port = await sim.start()
    config = example_config(tmp_path, port=port)
    config.plc.dry_run = True  # type: ignore[union-attr]
    node = Node(config, clock=lambda: NOW)
    detector = ScriptedDetector(config.cameras[0].detector, crane())  # type: ignore[arg-type]
    try:
        for n in range(40):
            await node.process_frame(
                config.cameras[0], Frame("cam-3", n / 2, np.zeros((48, 64, 3), np.uint8)), detector
            )
        assert node.interlock is not None
        assert {(a.coil, a.value, a.dry_run) for a in node.interlock.actions} == {
            (5, True, True),
            (0, True, True),
        }
        assert await sim.coil(5) is False and await sim.coil(0) is False
    finally:
        await node.close()
        await sim.stop()


async def test_a_camera_without_weights_is_a_health_fault_and_gas_keeps_flowing(tmp_path):
    import asyncio

    from edge.config import OnnxDetector
    from edge.sim.run import example_site

    sim = example_site("127.0.0.1", 0, leak_after_s=None)
    port = await sim.start()
    config = example_config(tmp_path, port=port)
    config.cameras[0].detector = OnnxDetector(path=str(tmp_path / "not-supplied.onnx"))
    node = Node(config, clock=lambda: NOW)
    task = asyncio.create_task(node.run())
    try:
        for _ in range(200):
            if node.camera_faults and len(node.gas.latest) == 3:
                break
            await asyncio.sleep(0.05)
        assert "not found" in node.camera_faults["cam-3"]
        assert set(node.gas.latest) == {"GD-101", "GD-102", "GD-103"}
        cam = next(c for c in node.health()["components"] if c["name"] == "cam-3")
        assert cam["health"] == "fault"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await node.close()
        await sim.stop()


async def test_a_leak_raises_one_gas_alarm_on_the_node_until_it_recovers(tmp_path):
    from edge.sim.run import example_site

    clock = {"t": NOW}
    sim = example_site("127.0.0.1", 0, leak_after_s=0)  # 1 → 35 %LEL over 120 s
    sim.clock = lambda: clock["t"]
    sim.started_at = NOW
    port = await sim.start()
    config = example_config(tmp_path, port=port)
    node = Node(config, clock=lambda: clock["t"])
    methane = config.gas[0]
    try:
        for _ in range(120):
            clock["t"] += timedelta(seconds=1)
            await sim.tick()
            await node.gas.poll(methane)
        alarms = [i.body for i in node.outbox.head(1000) if i.kind == "alarm"]
        assert [a["kind"] for a in alarms] == ["gas_over_limit"]  # crossed 10 %LEL once
        assert alarms[0]["detail"]["detector"] == "GD-101" and alarms[0]["detail"]["lel_percent"] > 10
    finally:
        await node.close()
        await sim.stop()


def test_loitering_is_a_long_stay_not_a_walk_past(tmp_path):
    engine = engine_for(tmp_path)
    gate = (580.0, 380.0, 620.0, 460.0)  # feet inside Z-GATE
    walk = Scene(name="walk", duration_s=60, segments=[Segment(id=1, from_s=0, to_s=30, box=gate)])
    assert play(engine, walk) == []
    stay = Scene(name="stay", duration_s=200, segments=[Segment(id=2, from_s=0, to_s=200, box=gate)])
    fired = play(engine_for(tmp_path), stay)
    assert [k for _t, k in fired] == ["loitering"] and fired[0][0] == pytest.approx(120, abs=1)
