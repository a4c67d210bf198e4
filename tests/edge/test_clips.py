"""Alarm clips through the store-and-forward queue to the real app: queued behind their alarm, kept
through an outage, stored once by SHA-256 and linked to the alarm; the upload endpoint's checks."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import httpx
from sqlalchemy import select

from backend.alarms.clips import CLIP_MAX_BYTES
from backend.alarms.models import Alarm, AlarmClip
from backend.db.engine import transaction
from tests.edge.test_node_api import play_crane, site

__all__ = ["site"]


async def test_clips_follow_their_alarms_through_an_outage(site, sessionmaker, settings, client_as):
    plant, api, _sim, node = site
    node.recorders["cam-3"].clip_s = 2.0  # the scene is 12 s: let the ±2 s clips complete
    await api.stop()
    kinds = await play_crane(node)
    assert sorted(kinds) == ["no_permit_work", "person_under_load"]
    assert [i.kind for i in node.outbox.head(100)] == ["alarm", "alarm"]  # the ordered lane
    assert node.outbox.clip_head() is None  # each clip waits until its alarm is delivered
    files = {i.body["alarm_id"]: node.data_dir / i.body["path"] for i in node.outbox.clips()}
    assert len(files) == 2
    digests = {a: hashlib.sha256(p.read_bytes()).hexdigest() for a, p in files.items()}
    assert await node.uplink.drain() == 0 and node.outbox.depth() == 4  # API down: nothing lost

    await api.start()
    assert await node.uplink.drain() == 4 and node.outbox.depth() == 0 and node.outbox.dead() == []
    assert not any(p.exists() for p in files.values())  # the server holds them: the node's disk is freed
    async with transaction(sessionmaker) as db:
        stored = {str(c.alarm_id): c for c in await db.scalars(select(AlarmClip))}
        alarms = {str(a.id) for a in await db.scalars(select(Alarm))}
    assert set(stored) == set(files) == alarms
    for alarm_id, clip in stored.items():
        assert clip.sha256 == digests[alarm_id] and clip.content_type == "video/x-msvideo"
        path = Path(settings.media_dir) / clip.path
        assert (
            path.name == f"{clip.sha256}.avi" and hashlib.sha256(path.read_bytes()).hexdigest() == clip.sha256
        )
        assert clip.device_id == plant.edge.id

    officer = await client_as(plant.people["safety_officer"])
    alarm_id = next(iter(stored))
    res = await officer.get(f"/api/alarms/{alarm_id}/clip")
    assert res.status_code == 200 and res.headers["content-type"].startswith("video/x-msvideo")
    assert hashlib.sha256(res.content).hexdigest() == digests[alarm_id]


async def test_the_upload_is_idempotent_checked_and_only_for_the_devices_own_alarm(
    site, sessionmaker, settings
):
    plant, api, _sim, node = site
    alarm_id = node.raise_alarm("no_helmet", 2, "SA-A1", {"track": 1})
    assert await node.uplink.drain() == 1
    avi = b"RIFF\x10\x00\x00\x00AVI LIST" + bytes(range(256)) * 4

    async with httpx.AsyncClient(base_url=api.url) as http:

        async def put(body: bytes, alarm: str = alarm_id, token: str | None = None) -> httpx.Response:
            headers = node.uplink.headers() | {"content-type": "video/x-msvideo"}
            if token is not None:
                headers["authorization"] = f"Bearer {token}"
            return await http.put(f"/api/alarms/{alarm}/clip", content=body, headers=headers)

        first = await put(avi)
        assert first.status_code == 201, first.text
        again = await put(avi)  # a retry whose answer was lost
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert again.json()["sha256"] == first.json()["sha256"] == hashlib.sha256(avi).hexdigest()
        other = await put(avi + b"x")
        assert other.status_code == 409 and other.json()["code"] == "clip_conflict"

        fresh = node.raise_alarm("no_helmet", 2, "SA-A1", {"track": 2})
        assert await node.uplink.drain() == 1
        bad = await put(b"<html>not a video</html>", fresh)
        assert bad.status_code == 415 and bad.json()["code"] == "clip_type"
        empty = await put(b"", fresh)
        assert empty.status_code == 422
        huge = await put(b"RIFF" + b"\0" * CLIP_MAX_BYTES, fresh)
        assert huge.status_code == 413
        unknown = await put(avi, str(uuid.uuid4()))
        assert unknown.status_code == 404
        foreign = await put(avi, fresh, token=plant.wearable_token)  # not the wristband's alarm
        assert foreign.status_code == 404
        unsigned = await http.put(f"/api/alarms/{fresh}/clip", content=avi)
        assert unsigned.status_code == 401
    async with transaction(sessionmaker) as db:
        clips = list(await db.scalars(select(AlarmClip)))
    assert [str(c.alarm_id) for c in clips] == [alarm_id]  # refused uploads leave nothing behind
    assert not any((Path(settings.media_dir) / "tmp").glob("*"))


async def test_a_clip_whose_file_is_gone_does_not_block_the_queue(site):
    _plant, _api, _sim, node = site
    alarm_id = node.raise_alarm("no_helmet", 2, "SA-A1", {"track": 1})
    node.outbox.put("clip", f"clip:{alarm_id}", {"alarm_id": alarm_id, "path": "clips/gone.avi"})
    node.raise_alarm("no_helmet", 2, "SA-A1", {"track": 2})
    assert await node.uplink.drain() == 2
    assert [(i, k) for i, k, _ in node.outbox.dead()] == [(f"clip:{alarm_id}", "clip")]
