"""A detector's readings thinned per hour / per day equal the same figures over the raw readings,
after late uploads, for cut periods, and after a rebuild; the endpoint checks who and what."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from backend.analytics import fold, gas_view
from backend.analytics.rollup_models import GasDirtyHour, GasHour
from backend.auth.service import principal_of
from backend.core.errors import Forbidden, Invalid
from backend.db.engine import transaction
from backend.gas.models import GasReading
from tests.backend.analytics.month import NOW, Month, make_month

START = datetime(2026, 11, 10, tzinfo=UTC)


@pytest.fixture
async def month(sessionmaker: Any, settings: Any, clock: Any) -> Month:
    clock.now = NOW
    async with transaction(sessionmaker) as db:
        return await make_month(db, settings.secret_key)


def _reading(month: Month, at: datetime, value: float | None) -> GasReading:
    d = month.detectors["D1"]
    return GasReading(
        detector_id=d.id,
        area_id=d.area_id,
        measured_at=at,
        received_at=NOW,
        gas="methane",
        lel_percent=value,
        within_limits=True,
    )


def _expected(
    readings: list[tuple[datetime, float | None]], since: datetime, until: datetime, day: bool
) -> list[Any]:
    out: dict[datetime, list[float]] = {}
    for at, v in readings:
        if since <= at < until and v is not None:
            key = at.replace(minute=0, second=0, microsecond=0)
            out.setdefault(key.replace(hour=0) if day else key, []).append(v)
    return [(k, len(v), min(v), max(v), round(sum(v) / len(v), 3)) for k, v in sorted(out.items())]


async def _series(sm: Any, month: Month, since: datetime, until: datetime) -> tuple[str, list[Any]]:
    async with transaction(sm) as db:
        boss = await principal_of(db, month.people["boss"])
        out = await gas_view.series_out(db, boss, month.detectors["D1"].id, since, until, NOW)
    return out.bucket, [(p.start, p.count, p.min, p.max, p.mean) for p in out.points]


async def test_thinned_series_equal_the_raw_readings(sessionmaker: Any, month: Month) -> None:
    rng = random.Random(7)
    readings = [(START + timedelta(minutes=7 * k), round(rng.uniform(0, 30), 2)) for k in range(600)]
    readings.append((START + timedelta(hours=5, minutes=3), None))  # an O₂-only reading: no LEL
    async with transaction(sessionmaker) as db:
        db.add_all(_reading(month, at, v) for at, v in readings)
    cases = [
        (START, START + timedelta(days=3), False),  # whole hours
        (START + timedelta(minutes=95), START + timedelta(days=2, minutes=13), False),  # cut hours
        (START - timedelta(days=30, hours=5), START + timedelta(days=10, hours=3), True),  # per day
    ]
    for since, until, day in cases:
        assert await _series(sessionmaker, month, since, until) == (
            "day" if day else "hour",
            _expected(readings, since, until, day),
        )
    # A late upload into an hour already thinned.
    late = [(START + timedelta(hours=2, minutes=59), 99.0), (START + timedelta(hours=2), 0.01)]
    async with transaction(sessionmaker) as db:
        db.add_all(_reading(month, at, v) for at, v in late)
        assert len(db.new) == 2
    readings += late
    for since, until, day in cases:
        assert (await _series(sessionmaker, month, since, until))[1] == _expected(readings, since, until, day)
    async with transaction(sessionmaker) as db:
        assert await db.scalar(select(GasDirtyHour.id)) is None
        incremental = sorted(
            (r.hour, r.count, r.lel_min, r.lel_max, round(r.lel_sum, 6))
            for r in await db.scalars(select(GasHour))
        )
        assert len(incremental) == 70  # 600 readings 7 minutes apart: 69 h 53 min
    async with transaction(sessionmaker) as db:
        await fold.fold(db, NOW, rebuild=True)
    async with transaction(sessionmaker) as db:
        rebuilt = sorted(
            (r.hour, r.count, r.lel_min, r.lel_max, round(r.lel_sum, 6))
            for r in await db.scalars(select(GasHour))
        )
    assert rebuilt == incremental


async def test_series_checks_caller_and_period(sessionmaker: Any, month: Month) -> None:
    async with transaction(sessionmaker) as db:
        leader_b = await principal_of(db, month.people["leader_b"])
        with pytest.raises(Forbidden):
            await gas_view.series_out(db, leader_b, month.detectors["D1"].id, None, None, NOW)
        boss = await principal_of(db, month.people["boss"])
        with pytest.raises(Invalid):
            await gas_view.series_out(db, boss, month.detectors["D1"].id, NOW, START, NOW)
        week = await gas_view.series_out(db, boss, month.detectors["D1"].id, None, None, NOW)
        assert week.bucket == "hour" and week.until == NOW and week.points == []
