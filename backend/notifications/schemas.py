"""Wire types of notifications."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec


class NotificationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: str
    read: bool


class NotificationPage(msgspec.Struct, kw_only=True):
    items: list[NotificationOut]
    unread: int
