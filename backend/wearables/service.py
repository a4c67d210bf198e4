"""Band samples relayed by an edge node: resolve band → wearer, keep a day of history, update the latest."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import Device
from backend.core.errors import Forbidden
from backend.core.ids import uuid7
from backend.devices.models import DeviceStatus
from backend.people.models import Person
from backend.wearables.models import WearableSample
from backend.wearables.schemas import BandOut, BandSample, SampleOut

HISTORY = timedelta(hours=24)  # the board's trail and a shift's review; longer belongs to analytics


def require_gateway(device: Device) -> uuid.UUID:
    """Only an edge node registered on a site relays bands (a band with its own uplink uses telemetry)."""
    if device.kind != "edge" or device.site_id is None:
        raise Forbidden("只有登记在厂区的边缘节点可以转发手环数据", code="device_kind")
    return device.site_id


async def bands_of_site(
    db: AsyncSession, site_id: uuid.UUID, band_ids: set[str] | None = None
) -> list[Device]:
    """The site's wristbands (devices of kind wearable; the name is the band id)."""
    query = select(Device).where(Device.kind == "wearable", Device.site_id == site_id)
    if band_ids is not None:
        query = query.where(Device.name.in_(band_ids))
    return list(await db.scalars(query))


async def band_list(db: AsyncSession, site_id: uuid.UUID) -> list[BandOut]:
    rows = (
        await db.execute(
            select(Device, Person.name)
            .outerjoin(Person, Person.id == Device.person_id)
            .where(Device.kind == "wearable", Device.site_id == site_id)
            .order_by(Device.name)
        )
    ).all()
    return [BandOut(band_id=d.name, device_id=d.id, person_id=d.person_id, person_name=n) for d, n in rows]


async def record_samples(
    db: AsyncSession, gateway: Device, samples: list[BandSample], now: datetime
) -> tuple[int, list[str], list[tuple[Device, DeviceStatus]]]:
    """Store each sample once; move a band's latest status forward (never back: a resent old batch
    after an outage must not overwrite a newer position). Returns (stored, unknown band ids, updated)."""
    site_id = require_gateway(gateway)
    bands = {d.name: d for d in await bands_of_site(db, site_id, {s.band_id for s in samples})}
    unknown = sorted({s.band_id for s in samples} - set(bands))
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    stored = 0
    newest: dict[str, BandSample] = {}
    for s in samples:
        band = bands.get(s.band_id)
        if band is None:
            continue
        values = _values(s) | {
            "id": uuid7(),
            "device_id": band.id,
            "site_id": site_id,
            "person_id": band.person_id,
            "relayed_by": gateway.id,
            "sampled_at": s.sampled_at,
            "received_at": now,
        }
        result = await db.execute(
            insert(WearableSample).values(**values).on_conflict_do_nothing().returning(WearableSample.id)
        )
        stored += result.scalar_one_or_none() is not None
        if s.band_id not in newest or s.sampled_at > newest[s.band_id].sampled_at:
            newest[s.band_id] = s
    updated = [(bands[b], await _latest(db, bands[b], s, now)) for b, s in newest.items()]
    if bands:
        await db.execute(
            delete(WearableSample).where(
                WearableSample.device_id.in_([b.id for b in bands.values()]),
                WearableSample.sampled_at < now - HISTORY,
            )
        )
    return stored, unknown, [(d, st) for d, st in updated if st is not None]


def _values(s: BandSample) -> dict[str, object]:
    return {
        "x": s.position.x if s.position else None,
        "y": s.position.y if s.position else None,
        "lat": s.gps.lat if s.gps else None,
        "lon": s.gps.lon if s.gps else None,
        "heart_rate": s.heart_rate,
        "skin_temp_c": s.skin_temp_c,
        "ambient_temp_c": s.ambient_temp_c,
        "humidity_pct": s.humidity_pct,
        "battery_pct": s.battery_pct,
    }


async def _latest(db: AsyncSession, band: Device, s: BandSample, now: datetime) -> DeviceStatus | None:
    """The band's row in device_status, moved to this sample unless it already holds a newer one."""
    at = min(s.sampled_at, now)
    status = await db.get(DeviceStatus, band.id)
    if status is None:
        status = DeviceStatus(device_id=band.id, kind="wearable", reported_at=at)
        db.add(status)
    elif status.reported_at > at:
        return None
    status.site_id, status.person_id = band.site_id, band.person_id
    if s.position is not None:
        status.x, status.y = s.position.x, s.position.y
    if s.gps is not None:
        status.lat, status.lon = s.gps.lat, s.gps.lon
    for field, value in (
        ("heart_rate", s.heart_rate),
        ("body_temp_c", s.skin_temp_c),  # the band's skin-temperature sensor
        ("ambient_temp_c", s.ambient_temp_c),
        ("humidity_pct", s.humidity_pct),
        ("battery_pct", s.battery_pct),
    ):
        if value is not None:
            setattr(status, field, value)
    status.reported_at = at
    await db.flush()
    return status


async def history(db: AsyncSession, device_id: uuid.UUID, since: datetime) -> list[SampleOut]:
    rows = await db.scalars(
        select(WearableSample)
        .where(WearableSample.device_id == device_id, WearableSample.sampled_at >= since)
        .order_by(WearableSample.sampled_at)
        .limit(2000)
    )
    return [
        SampleOut(
            sampled_at=r.sampled_at,
            x=r.x,
            y=r.y,
            lat=r.lat,
            lon=r.lon,
            heart_rate=r.heart_rate,
            skin_temp_c=r.skin_temp_c,
            ambient_temp_c=r.ambient_temp_c,
            humidity_pct=r.humidity_pct,
            battery_pct=r.battery_pct,
        )
        for r in rows
    ]
