"""Clips have their own lane: a clip upload stalled on a slow link delays no alarm queued after it,
and a clip never overtakes its own alarm. The "API" is a loopback server that reads clips slowly."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from aiohttp import web

from edge.outbox import Outbox
from edge.uplink import Uplink
from tests.edge.support import free_port
from tests.edge.wearables_support import wait_until

CLIP = b"RIFF\x00\x00\x00\x00AVI " + b"\x00" * (4 * 1024 * 1024)  # bigger than the socket buffers


class SlowApi:
    """Takes alarms at once; reads a clip's first kilobyte, then nothing until released."""

    def __init__(self) -> None:
        self.alarms: list[str] = []
        self.clip_started = asyncio.Event()
        self.release = asyncio.Event()
        self.clips: list[str] = []

    def app(self) -> web.Application:
        async def ingest(request: web.Request) -> web.Response:
            self.alarms.append((await request.json())["alarm_id"])
            return web.json_response({"duplicate": False}, status=201)

        async def clip(request: web.Request) -> web.Response:
            assert request.match_info["alarm"] in self.alarms  # never before its alarm
            await request.content.read(1024)
            self.clip_started.set()
            await self.release.wait()
            body = await request.read()
            self.clips.append(request.match_info["alarm"])
            return web.json_response({"size": len(body) + 1024}, status=201)

        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/api/alarms/ingest", ingest)
        app.router.add_put("/api/alarms/{alarm}/clip", clip)
        return app


async def test_a_stalled_clip_does_not_delay_an_alarm_queued_after_it(tmp_path):
    api = SlowApi()
    runner = web.AppRunner(api.app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    outbox = Outbox(tmp_path / "queue.db")
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "a1.avi").write_bytes(CLIP)
    outbox.put("alarm", "a1", {"alarm_id": "a1", "kind": "person_under_load"})
    outbox.put("clip", "clip:a1", {"alarm_id": "a1", "path": "clips/a1.avi"})
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        uplink = Uplink(client, outbox, "tzd_test", data_dir=tmp_path, clip_timeout_s=60)
        run = asyncio.create_task(uplink.run(0.01, 0.05))
        try:
            await asyncio.wait_for(api.clip_started.wait(), 5)  # a1 went, its clip is stuck mid-body
            outbox.put("alarm", "a2", {"alarm_id": "a2", "kind": "sos"})
            await wait_until(lambda: api.alarms == ["a1", "a2"])
            assert api.clips == [] and [i.id for i in outbox.clips()] == ["clip:a1"]  # still uploading
            api.release.set()
            await wait_until(lambda: outbox.depth() == 0)
            assert api.clips == ["a1"] and not (tmp_path / "clips" / "a1.avi").exists()
        finally:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
    outbox.close()
    await runner.cleanup()


async def test_a_clip_waits_in_its_lane_until_its_alarm_is_delivered(tmp_path):
    outbox = Outbox(tmp_path / "queue.db")
    outbox.put("alarm", "a1", {"alarm_id": "a1"})
    outbox.put("clip", "clip:a1", {"alarm_id": "a1", "path": "clips/a1.avi"})
    outbox.put("reading", "r1", {})
    assert outbox.clip_head() is None and [i.id for i in outbox.head(10)] == ["a1", "r1"]
    outbox.done(outbox.head(1))
    head = outbox.clip_head()
    assert head is not None and head.id == "clip:a1"
    outbox.close()
