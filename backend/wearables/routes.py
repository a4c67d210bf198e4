"""Wearable endpoints: an edge node relays band samples and reads its bands; the board reads a trail."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import select

from backend.alarms.access import require_watch
from backend.auth.models import Device
from backend.bus.after_commit import publish_after_commit
from backend.core.errors import NotFound
from backend.devices.routes import BOARD_TOPIC, DEVICE_AUTH, DeviceCaller
from backend.devices.service import status_out
from backend.http.deps import Caller, Db, Now
from backend.org.models import OrgUnit
from backend.people.models import Person
from backend.wearables import service
from backend.wearables.schemas import BandOut, BandSamplesIn, BandSamplesOut, SampleOut

Minutes = Annotated[int, QueryParameter(ge=1, le=24 * 60)]  # the history kept: a day


class WearablesController(Controller):
    path = "/api/wearables"
    tags = ["wearables"]

    @post("/readings", operation_id="relayBandSamples", dependencies=DEVICE_AUTH, status_code=200)
    async def readings(
        self, data: JSONBody[BandSamplesIn], db: Db, device: DeviceCaller, now: Now
    ) -> BandSamplesOut:
        """An edge node relays its wristbands' samples (device-signed like the alarm ingest)."""
        stored, unknown, updated = await service.record_samples(db, device, data.readings, now)
        for band, status in updated:
            name = await db.scalar(select(Person.name).where(Person.id == band.person_id))
            out = status_out(status, band, name, now)
            event = {"type": "device", "site_id": str(band.site_id), "device": msgspec.to_builtins(out)}
            publish_after_commit(db, BOARD_TOPIC, event)
        return BandSamplesOut(accepted=stored, unknown_bands=unknown)

    @get("/bands", operation_id="listRelayBands", dependencies=DEVICE_AUTH)
    async def bands(self, db: Db, device: DeviceCaller) -> list[BandOut]:
        """The bands registered on the node's site and their wearers (the node caches them)."""
        return await service.band_list(db, service.require_gateway(device))

    @get("/{device_id:uuid}/history", operation_id="bandHistory")
    async def history(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        device_id: FromPath[uuid.UUID],
        minutes: Minutes = 60,
    ) -> list[SampleOut]:
        """A band's trail and vitals for the board (watchers of its site)."""
        band = await db.get(Device, device_id)
        site = await db.get(OrgUnit, band.site_id) if band is not None and band.site_id else None
        if band is None or band.kind != "wearable" or site is None:
            raise NotFound("手环不存在", code="band_unknown")
        require_watch(principal, site.path)
        return await service.history(db, device_id, now - timedelta(minutes=minutes))
