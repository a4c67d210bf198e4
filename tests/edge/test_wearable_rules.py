"""The wristband rules on scripted message streams: heat stress and stillness need time, an SOS is
at once and once, a band silent during an active permit is one alarm per silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from edge.config import Wearables
from edge.rules.permits import ActivePermit, PermitBook
from edge.wearables.payload import Event, Position, Telemetry, heat_index_c
from edge.wearables.rules import WearableMonitor

NOW = datetime(2026, 7, 20, 13, 0, tzinfo=UTC)


def monitor(permits: list[ActivePermit] | None = None) -> WearableMonitor:
    return WearableMonitor(Wearables(still_s=60, offline_s=30), PermitBook(permits or []))


def tick(t: float, **values: object) -> Telemetry:
    return Telemetry(band="WB-1", ts=t, **values)  # type: ignore[arg-type]


def test_heat_index_follows_the_nws_table():
    assert round(heat_index_c(35, 60)) == 45  # 95 °F at 60 %: 114 °F
    assert round(heat_index_c(25, 50)) == 25  # mild: the simple formula


def test_heat_stress_needs_a_minute_of_it():
    m = monitor()
    fired = [a.kind for t in range(50) for a in m.observe(tick(t, amb_c=36.0, rh=65.0, moving=True), t, t)]
    assert fired == []  # 50 s: not yet (hold 60 s within 90 s)
    fired = [
        a.kind for t in range(50, 70) for a in m.observe(tick(t, amb_c=36.0, rh=65.0, moving=True), t, t)
    ]
    assert fired == ["heat_stress"]
    cool = [a for t in range(70, 200) for a in m.observe(tick(t, amb_c=24.0, rh=40.0, moving=True), t, t)]
    assert cool == []


def test_stillness_is_one_alarm_until_the_band_moves_again():
    m = monitor()
    kinds = [a.kind for t in range(0, 120, 5) for a in m.observe(tick(t, pos=Position(50, 50)), t, t)]
    assert kinds == ["no_movement"]  # still for 60 s, then silent while still
    assert m.observe(tick(125, pos=Position(80, 50)), 125, 125) == []  # walked off
    kinds = [a.kind for t in range(130, 200, 5) for a in m.observe(tick(t, pos=Position(80, 50)), t, t)]
    assert kinds == ["no_movement"]


def test_an_sos_fires_at_once_and_a_resent_press_is_the_same_alarm():
    m = monitor()
    press = Event(band="WB-1", ts=10.0, event="sos")
    assert [a.kind for a in m.observe(press, 10, 10)] == ["sos"] and m.observe(press, 10, 10) == []
    assert [a.tier for a in m.observe(Event(band="WB-1", ts=50.0, event="fall"), 50, 50)] == [1]


def test_a_band_offline_during_an_active_permit_alarms_once_per_silence():
    permit = ActivePermit(
        number="ZY-1",
        area_code="SA-A1",
        work_type="hot_work",
        status="active",
        valid_until=NOW + timedelta(hours=2),
    )
    m = monitor([permit])
    m.observe(tick(0, area="SA-A1", moving=True), 0, 0)
    m.observe(Telemetry(band="WB-2", ts=0, area="SA-B9", moving=True), 0, 0)  # no permit in its area
    assert m.offline(20, NOW) == []
    (alarm,) = m.offline(31, NOW)
    assert (alarm.kind, alarm.band, alarm.detail["permits"]) == ("wearable_offline", "WB-1", ["ZY-1"])
    assert m.offline(90, NOW) == []  # once per silence
    m.observe(tick(100, moving=True), 100, 100)
    assert [a.band for a in m.offline(140, NOW)] == ["WB-1"]
    assert m.offline(500, NOW + timedelta(hours=3)) == []  # the permit has ended
