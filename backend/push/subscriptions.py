"""Browser subscriptions: one per device, checked (HTTPS endpoint, real P-256 key), moved on re-subscribe."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import Device
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.push.models import PushSubscription
from backend.push.schemas import SubscriptionIn


def _b64(value: str, length: int, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise Invalid(f"{what} 不是 base64url", code="subscription_keys") from None
    if len(raw) != length:
        raise Invalid(f"{what} 长度错误", code="subscription_keys")
    return raw


def check_endpoint(endpoint: str) -> None:
    """HTTPS to a push service; plain HTTP only to a loopback push service (the simulator)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and loopback:
        return
    raise Invalid("推送地址必须是 HTTPS", code="subscription_endpoint")


async def subscribe(
    db: AsyncSession, person_id: uuid.UUID, data: SubscriptionIn, now: datetime, user_agent: str = ""
) -> PushSubscription:
    """Store the browser's subscription on its device (one per device), replacing an older one.

    The same endpoint registered by another person (a shared phone, signed in by someone
    else) moves to the new person: pushes follow whoever is signed in on that browser.
    """
    check_endpoint(data.endpoint)
    if _b64(data.keys.p256dh, 65, "p256dh")[0] != 4:
        raise Invalid("p256dh 必须是未压缩的 P-256 公钥", code="subscription_keys")
    _b64(data.keys.auth, 16, "auth")
    device = await db.get(Device, data.device_id) if data.device_id else None
    if device is None or device.kind != "phone" or device.person_id != person_id:
        device = Device(kind="phone", name=(user_agent or "browser")[:120], person_id=person_id)
        db.add(device)
        await db.flush()
    digest = hashlib.sha256(data.endpoint.encode()).hexdigest()
    await db.execute(
        delete(PushSubscription).where(
            PushSubscription.endpoint_hash == digest, PushSubscription.device_id != device.id
        )
    )
    sub = await db.scalar(select(PushSubscription).where(PushSubscription.device_id == device.id))
    if sub is None:
        sub = PushSubscription(device_id=device.id, created_at=now)
        db.add(sub)
    sub.person_id, sub.endpoint, sub.endpoint_hash = person_id, data.endpoint, digest
    sub.p256dh, sub.auth, sub.user_agent, sub.updated_at = (
        data.keys.p256dh,
        data.keys.auth,
        user_agent[:300],
        now,
    )
    device.last_seen_at = now
    await db.flush()
    return sub


async def unsubscribe(db: AsyncSession, person_id: uuid.UUID, device_id: uuid.UUID) -> None:
    sub = await db.scalar(select(PushSubscription).where(PushSubscription.device_id == device_id))
    if sub is None:
        raise NotFound("该设备没有推送订阅", code="subscription_unknown")
    if sub.person_id != person_id:
        raise Forbidden("不能删除他人的推送订阅", code="subscription_not_yours")
    await db.delete(sub)
