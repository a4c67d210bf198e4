"""Device rules: issue tokens, authenticate a request (token + timestamp window + nonce), store status."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import Device
from backend.core.crypto import token_hash
from backend.core.errors import Conflict, Invalid, Unauthorized
from backend.devices.models import DeviceNonce, DeviceStatus, DeviceToken
from backend.devices.schemas import DeviceStatusOut, TelemetryIn
from backend.org.models import OrgUnit
from backend.people.models import Person

# A device's clock may be this far off the server's (NTP on the edge keeps it well inside).
WINDOW = timedelta(seconds=300)
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TOKEN_PREFIX = "tzd_"
TOUCH_EVERY = timedelta(seconds=60)
# A device that has not reported for this long shows as offline on the board.
ONLINE_FOR = timedelta(minutes=2)


async def create_device(
    db: AsyncSession, *, kind: str, name: str, site: OrgUnit, person_id: uuid.UUID | None, now: datetime
) -> tuple[Device, str]:
    """A new edge node or wearable on a site, with its first token (returned once, stored hashed)."""
    if site.kind != "site":
        raise Invalid("设备必须登记在厂区下", code="not_a_site")
    if person_id is not None and await db.get(Person, person_id) is None:
        raise Invalid("佩戴人不存在", code="person_unknown")
    if kind == "wearable" and await db.scalar(
        select(Device.id).where(Device.kind == "wearable", Device.site_id == site.id, Device.name == name)
    ):
        # an edge node relays bands by this name (the band id): it must name one band on the site
        raise Conflict("该厂区已有同名手环", code="band_taken")
    device = Device(kind=kind, name=name, site_id=site.id, person_id=person_id)
    db.add(device)
    await db.flush()
    return device, await issue_token(db, device, now)


async def issue_token(db: AsyncSession, device: Device, now: datetime) -> str:
    """A fresh bearer token for the device; earlier tokens keep working until revoked."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(DeviceToken(device_id=device.id, token_hash=token_hash(token), created_at=now, updated_at=now))
    await db.flush()
    return token


async def revoke_tokens(db: AsyncSession, device_id: uuid.UUID, now: datetime) -> int:
    tokens = (
        await db.scalars(
            select(DeviceToken).where(DeviceToken.device_id == device_id, DeviceToken.revoked_at.is_(None))
        )
    ).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith(TOKEN_PREFIX):
        raise Unauthorized("缺少设备令牌", code="device_token_missing")
    return token.strip()


def _timestamp(raw: str | None, now: datetime) -> datetime:
    try:
        stamp = datetime.fromtimestamp(float(raw or ""), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError):
        raise Unauthorized("缺少或无效的请求时间戳", code="request_timestamp_invalid") from None
    if abs(stamp - now) > WINDOW:
        raise Unauthorized("请求时间戳超出允许范围（请校准设备时钟）", code="request_stale")
    return stamp


async def authenticate(
    db: AsyncSession, *, authorization: str | None, timestamp: str | None, nonce: str | None, now: datetime
) -> Device:
    """The device behind a request, which must be fresh (±5 min) and carry a nonce never seen before.

    A retry of the same logical message (the edge's store-and-forward) is a new request with a
    new nonce; idempotency of the message itself is the caller's business (alarm ids).
    """
    token = _bearer(authorization)
    found = (
        await db.execute(
            select(DeviceToken, Device)
            .join(Device, Device.id == DeviceToken.device_id)
            .where(DeviceToken.token_hash == token_hash(token))
        )
    ).first()
    if found is None or found[0].revoked_at is not None:
        raise Unauthorized("设备令牌无效或已吊销", code="device_unauthorized")
    row, device = found
    _timestamp(timestamp, now)
    if not nonce or not NONCE.match(nonce):
        raise Unauthorized("缺少或无效的请求随机数", code="request_nonce_invalid")
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    stored = await db.execute(
        insert(DeviceNonce)
        .values(device_id=device.id, nonce=nonce, seen_at=now)
        .on_conflict_do_nothing()
        .returning(DeviceNonce.nonce)
    )
    if stored.scalar_one_or_none() is None:
        raise Conflict("重复的请求（随机数已使用）", code="request_replayed")
    # Bookkeeping at most once a minute per device, not on every request of a busy edge node.
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = device.last_seen_at = now
        await db.execute(
            delete(DeviceNonce).where(
                DeviceNonce.device_id == device.id, DeviceNonce.seen_at < now - 2 * WINDOW
            )
        )
    return device


async def record_status(db: AsyncSession, device: Device, report: TelemetryIn, now: datetime) -> DeviceStatus:
    """Keep the device's latest report (one row per device)."""
    status = await db.get(DeviceStatus, device.id)
    if status is None:
        status = DeviceStatus(device_id=device.id, kind=device.kind, reported_at=now)
        db.add(status)
    status.site_id, status.person_id, status.kind = device.site_id, device.person_id, device.kind
    if report.position is not None:
        status.x, status.y = report.position.x, report.position.y
    if report.gps is not None:
        status.lat, status.lon = report.gps.lat, report.gps.lon
    if report.vitals is not None:
        status.heart_rate, status.body_temp_c = report.vitals.heart_rate, report.vitals.body_temp_c
    if report.environment is not None:
        status.ambient_temp_c = report.environment.temp_c
        status.humidity_pct = report.environment.humidity_pct
    if report.battery_pct is not None:
        status.battery_pct = report.battery_pct
    status.health = report.health
    status.components = [
        {"name": c.name, "kind": c.kind, "health": c.health, "detail": c.detail} for c in report.components
    ]
    status.reported_at = now
    await db.flush()
    return status


def status_out(
    status: DeviceStatus, device: Device, person_name: str | None, now: datetime
) -> DeviceStatusOut:
    return DeviceStatusOut(
        device_id=device.id,
        name=device.name,
        kind=device.kind,
        person_id=status.person_id,
        person_name=person_name,
        x=status.x,
        y=status.y,
        lat=status.lat,
        lon=status.lon,
        heart_rate=status.heart_rate,
        body_temp_c=status.body_temp_c,
        ambient_temp_c=status.ambient_temp_c,
        humidity_pct=status.humidity_pct,
        battery_pct=status.battery_pct,
        health=status.health,
        online=now - status.reported_at <= ONLINE_FOR,
        components=list(status.components or []),
        reported_at=status.reported_at,
    )


async def site_status(db: AsyncSession, site_id: uuid.UUID, now: datetime) -> list[DeviceStatusOut]:
    """Every reporting device of a site, wearables first, with the wearer's name."""
    rows = (
        await db.execute(
            select(DeviceStatus, Device, Person.name)
            .join(Device, Device.id == DeviceStatus.device_id)
            .outerjoin(Person, Person.id == DeviceStatus.person_id)
            .where(DeviceStatus.site_id == site_id)
            .order_by(Device.kind.desc(), Device.name)
        )
    ).all()
    return [status_out(status, device, name, now) for status, device, name in rows]
