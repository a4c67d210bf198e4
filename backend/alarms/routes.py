"""Alarm endpoints: device ingest, SOS, my alarms, ack/resolve/assign, the board and its SSE stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import File, ServerSentEvent, ServerSentEventMessage
from sqlalchemy import select

from backend.alarms import actions, board, clips, service
from backend.alarms.access import WATCHERS, holds_near, require_watch
from backend.alarms.models import Alarm
from backend.alarms.routing import Routing, load_routing
from backend.alarms.schemas import (
    AckIn,
    AlarmIngest,
    AlarmOut,
    AssignIn,
    BoardOut,
    IngestOut,
    KpiOut,
    ResolveIn,
    SosIn,
)
from backend.auth.principal import Principal
from backend.bus.protocol import Bus
from backend.config import Settings
from backend.core.errors import NotFound
from backend.devices.routes import DEVICE_AUTH, DeviceCaller
from backend.http.deps import Caller, Conf, Db, Now
from backend.org.models import OrgUnit
from backend.org.schemas import UnitOut
from backend.org.service import unit_out

KEEPALIVE_SECONDS = 15


def routing_of(settings: Settings) -> Routing:
    return load_routing(settings.alarm_routing)


def _ingested(alarm: Alarm, created: bool, recipients: int) -> Response[IngestOut]:
    out = IngestOut(
        alarm_id=alarm.id, tier=alarm.tier, state=alarm.state, duplicate=not created, recipients=recipients
    )
    return Response(out, status_code=201 if created else 200)


class AlarmsController(Controller):
    path = "/api/alarms"
    tags = ["alarms"]

    @post("/ingest", operation_id="ingestAlarm", dependencies=DEVICE_AUTH)
    async def ingest(
        self, data: JSONBody[AlarmIngest], db: Db, device: DeviceCaller, now: Now, settings: Conf
    ) -> Response[IngestOut]:
        """An alarm from an edge node or wearable (device token, fresh timestamp, unused nonce)."""
        alarm, created, recipients = await service.ingest(
            db, device, data, now, routing_of(settings), settings.media_dir
        )
        return _ingested(alarm, created, recipients)

    @post("/sos", operation_id="raiseSos")
    async def sos(
        self, data: JSONBody[SosIn], db: Db, principal: Caller, now: Now, settings: Conf
    ) -> Response[IngestOut]:
        alarm, created, recipients = await service.raise_sos(db, principal, data, now, routing_of(settings))
        return _ingested(alarm, created, recipients)

    @get("/mine", operation_id="listMyAlarms")
    async def mine(self, db: Db, principal: Caller, now: Now) -> list[AlarmOut]:
        return await board.mine(db, principal, now)

    @get("/sites", operation_id="listBoardSites")
    async def sites(self, db: Db, principal: Caller) -> list[UnitOut]:
        """Sites whose board the caller may watch."""
        units = (
            await db.scalars(
                select(OrgUnit)
                .where(OrgUnit.kind == "site", OrgUnit.deleted_at.is_(None))
                .order_by(OrgUnit.path)
            )
        ).all()
        return [unit_out(u) for u in units if holds_near(principal, WATCHERS, u.path)]

    @get("/board", operation_id="getAlarmBoard")
    async def board_view(
        self, db: Db, principal: Caller, now: Now, settings: Conf, site_id: FromQuery[uuid.UUID]
    ) -> BoardOut:
        return await board.board(db, principal, site_id, now, routing_of(settings))

    @get("/stream", operation_id="streamAlarmBoard")
    async def stream(
        self, state: State, db: Db, principal: Caller, site_id: FromQuery[uuid.UUID]
    ) -> ServerSentEvent:
        """Server-sent events for a site board: `alarm` (the alarm as it is now), `device` (a report)."""
        site = await db.get(OrgUnit, site_id)
        if site is None:
            raise NotFound("厂区不存在", code="unit_unknown")
        require_watch(principal, site.path)
        # Proxies must pass it through as it comes (nginx honours X-Accel-Buffering).
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return ServerSentEvent(board_events(state, principal, site_id), headers=headers)

    @get("/kpi", operation_id="getAlarmKpi")
    async def kpi(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        settings: Conf,
        site_id: FromQuery[uuid.UUID],
        days: Annotated[int, QueryParameter(ge=1, le=366)] = 7,
    ) -> KpiOut:
        site = await db.get(OrgUnit, site_id)
        if site is None:
            raise NotFound("厂区不存在", code="unit_unknown")
        require_watch(principal, site.path)
        return await board.kpi(
            db, routing_of(settings), now - timedelta(days=days), now + timedelta(seconds=1), site_id
        )

    @get("/{alarm_id:uuid}", operation_id="getAlarm")
    async def detail(self, db: Db, principal: Caller, alarm_id: FromPath[uuid.UUID]) -> AlarmOut:
        return await board.detail(db, principal, alarm_id)

    @post("/{alarm_id:uuid}/ack", operation_id="acknowledgeAlarm", status_code=200)
    async def ack(
        self, data: JSONBody[AckIn], db: Db, principal: Caller, now: Now, alarm_id: FromPath[uuid.UUID]
    ) -> AlarmOut:
        await actions.acknowledge(db, principal, alarm_id, now)
        return await board.detail(db, principal, alarm_id)

    @post("/{alarm_id:uuid}/resolve", operation_id="resolveAlarm", status_code=200)
    async def resolve(
        self, data: JSONBody[ResolveIn], db: Db, principal: Caller, now: Now, alarm_id: FromPath[uuid.UUID]
    ) -> AlarmOut:
        await actions.resolve(db, principal, alarm_id, data.resolution, now)
        return await board.detail(db, principal, alarm_id)

    @post("/{alarm_id:uuid}/assign", operation_id="assignAlarm", status_code=200)
    async def assign(
        self, data: JSONBody[AssignIn], db: Db, principal: Caller, now: Now, alarm_id: FromPath[uuid.UUID]
    ) -> AlarmOut:
        await actions.assign(db, principal, alarm_id, data.person_id, now)
        return await board.detail(db, principal, alarm_id)

    @put(
        "/{alarm_id:uuid}/clip",
        operation_id="uploadAlarmClip",
        dependencies=DEVICE_AUTH,
        request_max_body_size=clips.CLIP_MAX_BYTES,
    )
    async def put_clip(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        device: DeviceCaller,
        now: Now,
        settings: Conf,
        alarm_id: FromPath[uuid.UUID],
    ) -> Response[clips.ClipOut]:
        """The edge node's clip of its own alarm (raw AVI/MP4 body); a retry with the same bytes is 200."""
        clip, created = await clips.receive(db, request, device, alarm_id, Path(settings.media_dir), now)
        return Response(clips.clip_out(clip, not created), status_code=201 if created else 200)

    @get("/{alarm_id:uuid}/clip", operation_id="getAlarmClip", media_type="application/octet-stream")
    async def get_clip(
        self, db: Db, principal: Caller, settings: Conf, alarm_id: FromPath[uuid.UUID]
    ) -> File:
        alarm = await service.get_alarm(db, alarm_id)
        await board.readable(db, principal, alarm)
        clip = await clips.get(db, alarm_id)
        return File(
            path=Path(settings.media_dir) / clip.path,
            media_type=clip.content_type,
            content_disposition_type="inline",
        )

    @get("/{alarm_id:uuid}/image.jpg", operation_id="getAlarmImage", media_type="image/jpeg")
    async def image(self, db: Db, principal: Caller, settings: Conf, alarm_id: FromPath[uuid.UUID]) -> File:
        alarm = await service.get_alarm(db, alarm_id)
        await board.readable(db, principal, alarm)
        if alarm.image_path is None:
            raise NotFound("该报警没有快照", code="image_missing")
        return File(path=Path(settings.media_dir) / alarm.image_path, content_disposition_type="inline")


async def board_events(
    state: State, who: Principal, site_id: uuid.UUID
) -> AsyncIterator[ServerSentEventMessage]:
    """Relay the bus's board topic for one site; re-subscribe if the bus drops (Redis restart)."""
    bus: Bus = state.bus
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1000)

    async def relay() -> None:
        while True:
            try:
                async with bus.subscribe(service.BOARD_TOPIC) as sub:
                    async for raw in sub:
                        if queue.full():
                            queue.get_nowait()
                        queue.put_nowait(raw)
            except Exception:  # bus down: try again in a second; the board refetches on `hello`
                await asyncio.sleep(1)
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(b'{"type":"reconnected"}')

    reader = asyncio.create_task(relay())
    try:
        yield ServerSentEventMessage(event="hello", data=json.dumps({"site_id": str(site_id)}))
        while True:
            try:
                raw = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            event: dict[str, Any] = json.loads(raw)
            if event.get("type") == "reconnected":
                yield ServerSentEventMessage(event="hello", data=json.dumps({"site_id": str(site_id)}))
            elif event.get("site_id") != str(site_id):
                continue
            elif event["type"] == "alarm":
                async with state.sessionmaker() as db:
                    alarm = await db.get(Alarm, uuid.UUID(event["alarm_id"]))
                    if alarm is not None:
                        view = (await board.views(db, [alarm], with_recipients=True))[0]
                        yield ServerSentEventMessage(event="alarm", data=msgspec.json.encode(view).decode())
            elif event["type"] == "device":
                yield ServerSentEventMessage(event="device", data=json.dumps(event["device"]))
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
