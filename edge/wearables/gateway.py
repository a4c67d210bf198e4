"""The wristband gateway on the node: MQTT subscriber and HTTP endpoint → payload check → rules →
telemetry and alarms into the store-and-forward queue.

A bad payload is counted and dropped, logged once per source until that source sends a good one;
nothing a band sends can stop the node.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import msgspec

from edge.config import Wearables
from edge.wearables.payload import BandMessage, Telemetry, decode, decode_many
from edge.wearables.rules import BandAlarm, WearableMonitor

if TYPE_CHECKING:
    from edge.node import Node

log = logging.getLogger("edge.wearables")


class Gateway:
    def __init__(self, node: Node, config: Wearables):
        self.node = node
        self.config = config
        self.monitor = WearableMonitor(config, node.permits)
        self.dropped: Counter[str] = Counter()  # reason → messages dropped
        self.accepted = 0
        self.wearers: dict[str, str] = node.outbox.recall("bands") or {}  # band id → wearer's name
        self._uplinked: dict[str, float] = {}
        self._bad: set[str] = set()  # sources whose bad payload was logged
        self.mqtt_fault: str | None = None
        self.mqtt_connected = asyncio.Event()

    # -- messages ----------------------------------------------------------------------------
    def _drop(self, source: str, reason: str, error: object) -> None:
        self.dropped[reason] += 1
        if source not in self._bad:
            self._bad.add(source)
            log.warning("band payload from %s dropped (%s): %s", source, reason, str(error)[:200])

    async def accept(self, raw: bytes, source: str, topic_band: str | None = None) -> int:
        """Decode and handle what one MQTT message or HTTP body carried; how many messages it held."""
        try:
            messages = decode_many(raw) if topic_band is None else [decode(raw)]
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            self._drop(source, "invalid", exc)
            return 0
        done = 0
        for msg in messages:
            if topic_band is not None and msg.band != topic_band:
                self._drop(source, "band_mismatch", f"topic says {topic_band}, payload {msg.band}")
                continue
            await self.handle(msg)
            done += 1
        if done:
            self._bad.discard(source)
        return done

    async def handle(self, msg: BandMessage) -> list[str]:
        """Queue the band's telemetry (downsampled) and raise what the rules say; the alarm ids."""
        now = self.node.clock().timestamp()
        t = msg.ts if msg.ts is not None else now
        self.accepted += 1
        if (
            isinstance(msg, Telemetry)
            and t - self._uplinked.get(msg.band, -1e18) >= self.config.uplink_every_s
        ):
            self._uplinked[msg.band] = t
            self.node.outbox.put("band", f"band:{msg.band}:{t:.3f}", _sample(msg, t))
        ids = []
        for alarm in self.monitor.observe(msg, t, now):
            ids.append(await self.raise_alarm(alarm))
        return ids

    async def raise_alarm(self, alarm: BandAlarm) -> str:
        msg = alarm.message
        area = msg.area if msg is not None else self.monitor.bands[alarm.band].area
        known = {z.area_code for z in self.node.config.zones} | {
            p.area_code for p in self.node.permits.permits
        }
        extra: dict[str, Any] = {"band_id": alarm.band}
        if msg is not None and msg.pos is not None:
            extra["position"] = {"x": msg.pos.x, "y": msg.pos.y}
        if msg is not None and msg.gps is not None:
            extra["gps"] = {"lat": msg.gps.lat, "lon": msg.gps.lon}
        detail = {"band": alarm.band, "tier": alarm.tier, **alarm.detail}
        if area and area not in known:  # an area the server may not know must not get the alarm refused
            detail["reported_area"], area = area, None
        who = self.wearers.get(alarm.band, alarm.band)
        if alarm.tier == 1 and self.node.interlock is not None:
            from edge.interlock import InterlockFault

            try:
                await self.node.interlock.sound_alarm(alarm.kind)
            except InterlockFault as exc:
                log.error("interlock fault: %s", exc)
        return self.node.raise_alarm(
            alarm.kind, alarm.tier, area, detail, message=f"{who}: {alarm.kind}", extra=extra
        )

    async def check_offline(self) -> None:
        now = self.node.clock()
        for alarm in self.monitor.offline(now.timestamp(), now):
            await self.raise_alarm(alarm)

    async def refresh_bands(self) -> bool:
        """Band id → wearer from `GET /api/wearables/bands`, kept across restarts and outages."""
        try:
            raw = await self.node.uplink.get_json("/api/wearables/bands")
        except (httpx.HTTPError, ValueError) as exc:
            log.info("bands not refreshed (%s); using %d cached", exc, len(self.wearers))
            return False
        self.wearers = {b["band_id"]: b.get("person_name") or b["band_id"] for b in raw}
        self.node.outbox.remember("bands", self.wearers)
        return True

    def health(self) -> dict[str, str]:
        dropped = sum(self.dropped.values())
        detail = f"{len(self.monitor.bands)} bands, {self.accepted} messages, {dropped} dropped"
        if self.mqtt_fault:
            detail = f"MQTT: {self.mqtt_fault}; {detail}"
        return {
            "name": "wearables",
            "kind": "wearables",
            "health": "fault" if self.mqtt_fault else "ok",
            "detail": detail[:200],
        }

    # -- transports --------------------------------------------------------------------------
    async def run_mqtt(self, backoff_max_s: float = 30.0) -> None:
        """Subscribe to <topic>/+ (QoS 1) forever; reconnect with backoff, the error logged once."""
        import aiomqtt

        c = self.config
        assert c.mqtt_host is not None
        wait = 1.0
        while True:
            try:
                async with aiomqtt.Client(
                    c.mqtt_host, c.mqtt_port, username=c.mqtt_username, password=c.mqtt_password
                ) as client:
                    await client.subscribe(f"{c.mqtt_topic}/+", qos=1)
                    if self.mqtt_fault is not None:
                        log.warning("MQTT %s:%d recovered", c.mqtt_host, c.mqtt_port)
                    self.mqtt_fault, wait = None, 1.0
                    self.mqtt_connected.set()
                    async for message in client.messages:
                        band = str(message.topic).rsplit("/", 1)[-1]
                        payload = message.payload
                        raw = payload if isinstance(payload, bytes) else str(payload).encode()
                        await self.accept(raw, f"mqtt:{band}", topic_band=band)
            except aiomqtt.MqttError as exc:
                self.mqtt_connected.clear()
                if self.mqtt_fault is None:
                    log.error("MQTT %s:%d: %s; retrying", c.mqtt_host, c.mqtt_port, exc)
                self.mqtt_fault = str(exc)[:150] or type(exc).__name__
            await asyncio.sleep(wait)
            wait = min(wait * 2, backoff_max_s)

    def http_app(self) -> Any:
        """`POST /bands`: one message or a JSON array; `Authorization: Bearer <http_token>` when set."""
        from aiohttp import web

        async def post(request: web.Request) -> web.Response:
            token = self.config.http_token
            if token and request.headers.get("authorization", "") != f"Bearer {token}":
                return web.json_response({"code": "band_unauthorized"}, status=401)
            raw = await request.content.read(64 * 1024 + 1)
            if len(raw) > 64 * 1024:
                self._drop(f"http:{request.remote}", "too_large", f"{len(raw)} bytes")
                return web.json_response({"code": "payload_too_large"}, status=413)
            before = sum(self.dropped.values())
            count = await self.accept(raw, f"http:{request.remote}")
            if count == 0 and sum(self.dropped.values()) > before:
                return web.json_response({"code": "payload_invalid", "accepted": 0}, status=400)
            return web.json_response({"accepted": count}, status=202)

        app = web.Application()
        app.router.add_post("/bands", post)
        return app

    async def run_http(self) -> None:
        from aiohttp import web

        runner = web.AppRunner(self.http_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.config.http_host, self.config.http_port)
        await site.start()
        log.info("band HTTP ingest on %s:%s", self.config.http_host, self.config.http_port)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


def _sample(msg: Telemetry, t: float) -> dict[str, Any]:
    """The API's BandSample (backend/wearables/schemas.py)."""
    body: dict[str, Any] = {"band_id": msg.band, "sampled_at": datetime.fromtimestamp(t, UTC).isoformat()}
    if msg.pos is not None:
        body["position"] = {"x": msg.pos.x, "y": msg.pos.y}
    if msg.gps is not None:
        body["gps"] = {"lat": msg.gps.lat, "lon": msg.gps.lon}
    for key, value in (
        ("heart_rate", msg.hr),
        ("skin_temp_c", msg.skin_c),
        ("ambient_temp_c", msg.amb_c),
        ("humidity_pct", msg.rh),
        ("battery_pct", msg.battery),
    ):
        if value is not None:
            body[key] = value
    return body
