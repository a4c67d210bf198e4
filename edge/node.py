"""The edge node: wires buses, gas polling, cameras → detectors → rules, interlocks, and the uplink."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np

from backend.core.ids import uuid7
from edge import server
from edge.config import Camera, EdgeConfig, GasDetector
from edge.gas import GasPoller, Latest
from edge.interlock import Interlock, InterlockFault
from edge.modbus.hub import ModbusHub
from edge.outbox import Outbox
from edge.rules.engine import Fired, RuleEngine, default_rules
from edge.rules.permits import PermitBook
from edge.scada import ScadaPoller
from edge.uplink import Uplink, utc_now
from edge.vision.base import Frame
from edge.vision.camera import ClipRecorder, jpeg
from edge.wearables.gateway import Gateway

log = logging.getLogger("edge.node")

GAS_FRESH = timedelta(seconds=120)  # a confined-space entry needs a reading at most this old
SNAPSHOT_MAX = 512 * 1024  # the ingest's limit on a snapshot


class Node:
    def __init__(
        self,
        config: EdgeConfig,
        *,
        clock: Callable[[], datetime] = utc_now,
        client: httpx.AsyncClient | None = None,
    ):
        self.config = config
        self.clock = clock
        self.data_dir = Path(config.data_dir)
        self.outbox = Outbox(self.data_dir / "queue.db")
        self.client = client or httpx.AsyncClient(base_url=config.uplink.url, timeout=config.uplink.timeout_s)
        self.uplink = Uplink(
            self.client,
            self.outbox,
            config.uplink.token,
            batch=config.uplink.batch,
            clock=clock,
            data_dir=self.data_dir,
            clip_timeout_s=config.uplink.clip_timeout_s,
        )
        self.hubs = {b.name: ModbusHub(b) for b in config.buses}
        self.gas = GasPoller(config.gas, self.hubs, self.outbox, clock, on_reading=self._on_reading)
        self.scada = ScadaPoller(config.scada, self.hubs, self.outbox, clock)
        self.interlock = Interlock(config.plc, self.hubs[config.plc.bus]) if config.plc else None
        self.permits = PermitBook.restore(self.outbox.recall("permits"))
        rules = config.rules or default_rules()
        self.engines = {
            c.name: RuleEngine(c.name, config.zones, rules, self.permits, self.gas_ok) for c in config.cameras
        }
        self.recorders = {
            c.name: ClipRecorder(c.clip_s, c.sample_fps, self.data_dir / "clips") for c in config.cameras
        }
        self.fired: deque[tuple[str, Fired]] = deque(maxlen=1000)  # (alarm id, what fired), newest last
        self.fps: dict[str, float] = {}
        self._gas_alarmed: set[str] = set()
        self.camera_faults: dict[str, str] = {}
        self.wearables = Gateway(self, config.wearables) if config.wearables else None

    # -- gas ---------------------------------------------------------------------------------
    def gas_ok(self, codes: list[str]) -> bool:
        """Every named detector has a fresh reading inside its limits (confined-space entry)."""
        now = self.clock()
        by_code = {d.code: d for d in self.config.gas}
        for code in codes:
            latest, d = self.gas.latest.get(code), by_code.get(code)
            if latest is None or d is None or now - latest.at > GAS_FRESH or _over(d, latest):
                return False
        return True

    def _on_reading(self, d: GasDetector, latest: Latest) -> None:
        """Over the node's own limit: one gas_over_limit alarm, then none until the reading recovers."""
        if not _over(d, latest):
            self._gas_alarmed.discard(d.code)
        elif d.code not in self._gas_alarmed:
            self._gas_alarmed.add(d.code)
            self.raise_alarm(
                "gas_over_limit",
                1,
                None,
                {"detector": d.code, "lel_percent": latest.lel_percent, "o2_percent": latest.o2_percent},
                key=("gas", d.code),
            )

    # -- alarms ------------------------------------------------------------------------------
    def raise_alarm(
        self,
        kind: str,
        tier: int,
        area_code: str | None,
        detail: dict[str, Any],
        *,
        key: object = None,
        snapshot: bytes | None = None,
        message: str = "",
        extra: dict[str, Any] | None = None,
    ) -> str:
        alarm_id = str(uuid7())
        body: dict[str, Any] = {
            "alarm_id": alarm_id,
            "kind": kind,
            "raised_at": self.clock().isoformat(),
            "message": message or f"{self.config.node}: {kind}",
            "detail": detail,
        }
        if area_code:
            body["area_code"] = area_code
        if snapshot:
            body["snapshot_jpeg"] = base64.b64encode(snapshot).decode()
        body |= extra or {}  # position, gps, band_id (a wristband's alarm)
        self.outbox.put("alarm", alarm_id, body)
        log.warning("alarm %s %s tier %d %s", alarm_id, kind, tier, detail)
        return alarm_id

    async def on_fired(self, fired: Fired, frame: Frame) -> str:
        """Act on site first (coils, within the frame's processing), then queue the alarm."""
        if self.interlock is not None:
            try:
                coil = fired.cut_power_coil
                # Written every time, never skipped as "already latched": the coil may have been
                # cleared at the PLC or HMI behind the node's back; writing it again is harmless.
                if coil is not None:
                    await self.interlock.cut_power(
                        coil, f"{fired.kind} in {fired.zone.code if fired.zone else '?'}"
                    )
                if fired.tier == 1:
                    await self.interlock.sound_alarm(fired.kind)
            except InterlockFault as exc:
                log.error("interlock fault: %s", exc)
        zone = fired.zone
        detail = {
            "rule": fired.kind,
            "camera": fired.camera,
            "zone": zone.code if zone else None,
            "tier": fired.tier,
            **fired.detail,
        }
        recorder = self.recorders[fired.camera]
        alarm_id = str(uuid7())
        detail["clip"] = str(recorder.mark(alarm_id, frame.t).relative_to(self.data_dir))
        if fired.cut_power_coil is not None:
            detail["power_cut_coil"] = fired.cut_power_coil
            detail["dry_run"] = bool(self.interlock and self.interlock.plc.dry_run)
        body: dict[str, Any] = {
            "alarm_id": alarm_id,
            "kind": fired.kind,
            "raised_at": self.clock().isoformat(),
            "message": f"{fired.camera}: {fired.kind}",
            "detail": detail,
            "snapshot_jpeg": base64.b64encode(await asyncio.to_thread(snapshot, frame.image)).decode(),
        }
        if zone:
            body["area_code"] = zone.area_code
        self.outbox.put("alarm", alarm_id, body)
        self.fired.append((alarm_id, fired))
        return alarm_id

    async def process_frame(self, camera: Camera, frame: Frame, detector: Any) -> list[Fired]:
        detections = await asyncio.to_thread(detector.detect, frame)
        fired = self.engines[camera.name].process(frame.t, self.clock(), detections)
        for f in fired:
            await self.on_fired(f, frame)
        # JPEG-encoding the frame, and writing a finished clip, are CPU work: off the loop that polls
        # gas and drives the interlocks (each recorder belongs to this camera's task alone)
        for clip in await asyncio.to_thread(self.recorders[camera.name].add, frame):
            self.queue_clip(clip)
        return fired

    def queue_clip(self, clip: Path) -> None:
        """A written clip goes through the queue behind its alarm (the file is named by the alarm id)."""
        log.info("clip written: %s", clip)
        alarm_id = clip.stem
        self.outbox.put(
            "clip", f"clip:{alarm_id}", {"alarm_id": alarm_id, "path": str(clip.relative_to(self.data_dir))}
        )

    # -- server state (edge/server.py) --------------------------------------------------------
    async def refresh_permits(self) -> bool:
        return await server.refresh_permits(self)

    async def apply_commands(self) -> int:
        return await server.apply_commands(self)

    async def sync_with_server(self) -> None:
        await server.refresh_permits(self)
        await server.apply_commands(self)

    def health(self) -> dict[str, Any]:
        return server.health(self)

    async def report_health(self) -> bool:
        return await server.report_health(self)

    # -- run ---------------------------------------------------------------------------------
    async def _every(self, seconds: float, job: Callable[[], Any]) -> None:
        """Run a job forever; one job's bug must not stop gas polling or the interlocks."""
        failing = False
        while True:
            try:
                await job()
                failing = False
            except Exception:
                if not failing:
                    log.exception("%s failed; retrying every %g s", getattr(job, "__name__", job), seconds)
                failing = True
            await asyncio.sleep(seconds)

    async def _supervise(self, camera: Camera, retry_s: float = 10.0) -> None:
        """A camera whose weights are missing or whose stream is gone is a fault in the health report,
        retried, while the rest of the node keeps working."""
        while True:
            try:
                await self._camera_loop(camera)
                return
            except Exception as exc:
                if camera.name not in self.camera_faults:
                    log.exception("camera %s failed; retrying every %g s", camera.name, retry_s)
                self.camera_faults[camera.name] = str(exc)[:200] or type(exc).__name__
                self.fps[camera.name] = 0.0
            await asyncio.sleep(retry_s)

    async def _camera_loop(self, camera: Camera) -> None:
        from edge.vision.camera import OpenCvSource, ScriptedSource
        from edge.vision.registry import build

        detector = await asyncio.to_thread(build, camera.detector)
        scene = getattr(detector, "scene", None)
        source = ScriptedSource(camera, scene.duration_s) if scene is not None else OpenCvSource(camera)
        loop = asyncio.get_running_loop()
        frames = source.frames()
        started, count = loop.time(), 0
        while True:
            frame = await asyncio.to_thread(next, frames, None)
            if frame is None:
                log.info("camera %s: source ended", camera.name)
                return
            await self.process_frame(camera, frame, detector)
            self.camera_faults.pop(camera.name, None)
            count += 1
            self.fps[camera.name] = count / max(loop.time() - started, 1e-6)
            if scene is not None:  # a scripted scene plays in real time
                await asyncio.sleep(max(0.0, started + frame.t - loop.time()))

    async def run(self) -> None:
        up = self.config.uplink
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.gas.run())
            if self.config.scada:
                tg.create_task(self.scada.run())
            tg.create_task(self.uplink.run(up.interval_s, up.backoff_max_s))
            tg.create_task(self._every(up.permits_every_s, self.sync_with_server))
            tg.create_task(self._every(up.health_every_s, self.report_health))
            if self.interlock is not None:
                tg.create_task(self._every(1.0, self.interlock.quiet_alarm_when_due))
            for camera in self.config.cameras:
                tg.create_task(self._supervise(camera))
            if (w := self.wearables) is not None:
                tg.create_task(self._every(w.config.bands_every_s, w.refresh_bands))
                tg.create_task(self._every(min(5.0, w.config.offline_s / 4), w.check_offline))
                if w.config.mqtt_host:
                    tg.create_task(w.run_mqtt())
                if w.config.http_port is not None:
                    tg.create_task(w.run_http())

    async def close(self) -> None:
        for hub in self.hubs.values():
            await hub.close()
        await self.client.aclose()
        self.outbox.close()


def _over(d: GasDetector, latest: Latest) -> bool:
    if latest.o2_percent is not None:
        return not 19.5 <= latest.o2_percent <= 23.5  # O₂ band; the server judges §5.3.2 exactly
    limit = d.alarm_lel_percent if d.alarm_lel_percent is not None else 10.0
    return latest.lel_percent is not None and latest.lel_percent > limit


def snapshot(image: np.ndarray[Any, Any]) -> bytes:
    """A JPEG of the frame under the ingest's 512 KiB limit (halving the size until it fits)."""
    data = jpeg(image)
    while len(data) > SNAPSHOT_MAX:
        image = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2))
        data = jpeg(image, 70)
    return data
