"""Wire types for push subscriptions and the VAPID public key."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec


class SubscriptionKeys(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=80, max_length=120)]
    auth: Annotated[str, msgspec.Meta(min_length=16, max_length=40)]


class SubscriptionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`PushSubscription.toJSON()` from the browser, plus the device id the app was given before."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=2000)]
    keys: SubscriptionKeys
    expirationTime: float | None = None
    device_id: uuid.UUID | None = None


class SubscriptionOut(msgspec.Struct, kw_only=True):
    device_id: uuid.UUID
    endpoint: str


class VapidKeyOut(msgspec.Struct, kw_only=True):
    public_key: str  # applicationServerKey: the uncompressed P-256 point, base64url


class TestPushOut(msgspec.Struct, kw_only=True):
    queued: int
