"""Notification endpoints: a signed-in person's own notifications."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from backend.http.deps import Caller, Db, Now
from backend.notifications import service
from backend.notifications.schemas import NotificationOut, NotificationPage


class NotificationsController(Controller):
    path = "/api/notifications"
    tags = ["notifications"]

    @get("/", operation_id="listNotifications")
    async def list_mine(
        self,
        db: Db,
        principal: Caller,
        unread: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> NotificationPage:
        items, unread_count = await service.mine(db, principal.person_id, unread_only=unread, limit=limit)
        return NotificationPage(
            items=[
                NotificationOut(
                    id=n.id,
                    kind=n.kind,
                    title=n.title,
                    body=n.body,
                    data=n.data,
                    created_at=n.created_at.isoformat(),
                    read=n.read_at is not None,
                )
                for n in items
            ],
            unread=unread_count,
        )

    @post("/{notification_id:uuid}/read", operation_id="markNotificationRead", status_code=204)
    async def read(self, db: Db, principal: Caller, now: Now, notification_id: FromPath[uuid.UUID]) -> None:
        await service.mark_read(db, principal.person_id, notification_id, now)
