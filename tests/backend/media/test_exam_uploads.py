"""Resumable, chunked upload of practical-exam recordings over HTTP: an upload cut off mid-way
resumes from the server's offset, a chunk at the wrong offset is refused, the assembled file is
the original (its SHA-256 in the exam video and the audit log), expired sessions are swept."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import msgspec
import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditEntry
from backend.config import Settings
from backend.db.engine import transaction
from backend.media import exam_uploads_part, samples, video
from backend.media.models import ExamUpload, ExamVideo
from tests.factories import make_person

CHUNK = 4096


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, exam_min_seconds=2.0)  # test clips are 3 s


@pytest.fixture
def recording(tmp_path) -> bytes:
    frames = [samples.astronaut()] * 15
    video.write_clip(tmp_path / "exam.webm", frames, fps=5)
    return (tmp_path / "exam.webm").read_bytes()


async def _welder(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        return await make_person(db, settings.secret_key, org.team_a, "赵铁柱")


async def _open(client, person_id, body: bytes, **extra):
    fields = {
        "person_id": str(person_id),
        "item_key": "mem:02-01",
        "size": len(body),
        "content_type": "video/webm;codecs=vp8",
        "sha256": hashlib.sha256(body).hexdigest(),
        **extra,
    }
    return await client.post("/api/media/exam-uploads/", json=fields)


async def _put(client, upload_id, offset: int, chunk: bytes):
    return await client.put(f"/api/media/exam-uploads/{upload_id}?offset={offset}", content=chunk)


async def _asgi_put_cut_off(client, path: str, offset: int, chunk: bytes, sent: list[dict]) -> None:
    events = [
        {"type": "http.request", "body": chunk[: len(chunk) // 2], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": f"offset={offset}".encode(),
        "root_path": "",
        "headers": [
            (b"host", b"localhost:8000"),
            (b"cookie", client.headers["cookie"].encode()),
            (b"content-length", str(len(chunk)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 8000),
        "state": {},
    }
    await client.app(scope, receive, send)


async def _count(sessionmaker, model) -> int:
    async with transaction(sessionmaker) as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_interrupted_upload_resumes_from_the_servers_offset_and_keeps_the_hash(
    client_as, sessionmaker, settings, org, recording
):
    welder = await _welder(sessionmaker, settings, org)
    phone = await client_as(welder)
    opened = await _open(phone, welder.id, recording)
    assert opened.status_code == 201, opened.text
    up = opened.json()
    assert up["offset"] == 0 and up["size"] == len(recording)

    half = len(recording) // 2 // CHUNK * CHUNK
    for at in range(0, half, CHUNK):
        assert (await _put(phone, up["id"], at, recording[at : at + CHUNK])).json()["offset"] == at + CHUNK

    # The connection drops in the middle of the next chunk: the ASGI server hands the app half
    # the body, then `http.disconnect` (what uvicorn does when the phone goes offline).
    sent: list[dict] = []
    await _asgi_put_cut_off(
        phone, f"/api/media/exam-uploads/{up['id']}", half, recording[half : half + CHUNK], sent
    )
    assert not any(m.get("status") == 200 for m in sent)

    later = await client_as(welder)  # back online (the app restarted): ask where to go on
    resumed = (await later.get(f"/api/media/exam-uploads/{up['id']}")).json()
    assert resumed["offset"] == half
    for at in range(resumed["offset"], len(recording), CHUNK):
        r = await _put(later, up["id"], at, recording[at : at + CHUNK])
        assert r.status_code == 200, r.text
    done = await later.post(f"/api/media/exam-uploads/{up['id']}/complete")
    assert done.status_code == 201, done.text
    row = done.json()
    assert row["sha256"] == hashlib.sha256(recording).hexdigest() and row["size"] == len(recording)
    got = await later.get(f"/api/media/exam-videos/{row['id']}/file")
    assert got.content == recording
    async with transaction(sessionmaker) as db:
        entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "exam_video.upload"))
        assert entry is not None and entry.details["sha256"] == row["sha256"]
    assert await _count(sessionmaker, ExamUpload) == 0
    assert not list(exam_uploads_part.upload_dir(settings).glob("*"))


async def test_wrong_offsets_sizes_types_and_hashes_are_refused(
    client_as, sessionmaker, settings, org, recording
):
    welder = await _welder(sessionmaker, settings, org)
    phone = await client_as(welder)
    up = (await _open(phone, welder.id, recording)).json()
    assert (await _put(phone, up["id"], 0, recording[:CHUNK])).status_code == 200

    again = await _put(phone, up["id"], 0, recording[:CHUNK])  # a retry of a chunk already in
    assert (again.status_code, again.json()["code"]) == (409, "upload_offset_mismatch")
    assert again.json()["offset"] == CHUNK  # where the phone goes on from
    ahead = await _put(phone, up["id"], 3 * CHUNK, recording[3 * CHUNK : 4 * CHUNK])
    assert (ahead.status_code, ahead.json()["code"]) == (409, "upload_offset_mismatch")
    early = await phone.post(f"/api/media/exam-uploads/{up['id']}/complete")
    assert (early.status_code, early.json()["code"]) == (409, "upload_incomplete")
    past = await _put(phone, up["id"], CHUNK, b"\0" * (len(recording) + 1 - CHUNK))
    assert (past.status_code, past.json()["code"]) == (422, "upload_past_size")
    assert (await phone.get(f"/api/media/exam-uploads/{up['id']}")).json()["offset"] == CHUNK

    big = await _open(phone, welder.id, recording, size=2 * 1024**3)  # a 2 GB file is refused up front
    assert (big.status_code, big.json()["code"]) == (413, "upload_too_large")
    pdf = await _open(phone, welder.id, recording, content_type="application/pdf")
    assert (pdf.status_code, pdf.json()["code"]) == (415, "video_type")
    bad = await _open(phone, welder.id, recording, size=0)
    assert bad.status_code == 400

    other = await client_as(await make_person_in(sessionmaker, settings, org))
    assert (await other.get(f"/api/media/exam-uploads/{up['id']}")).json()["code"] == "upload_not_yours"

    lying = (await _open(phone, welder.id, recording, sha256="0" * 64)).json()
    for at in range(0, len(recording), CHUNK):
        await _put(phone, lying["id"], at, recording[at : at + CHUNK])
    mismatch = await phone.post(f"/api/media/exam-uploads/{lying['id']}/complete")
    assert (mismatch.status_code, mismatch.json()["code"]) == (422, "upload_hash_mismatch")
    assert await _count(sessionmaker, ExamVideo) == 0

    cancelled = await phone.delete(f"/api/media/exam-uploads/{lying['id']}")
    assert cancelled.status_code == 204
    assert not exam_uploads_part.part_path(settings, uuid.UUID(lying["id"])).exists()


async def make_person_in(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        return await make_person(db, settings.secret_key, org.team_b, "钱多多")


async def test_expired_sessions_are_swept_with_their_bytes(
    client_as, sessionmaker, settings, org, clock, recording
):
    welder = await _welder(sessionmaker, settings, org)
    phone = await client_as(welder)
    up = (await _open(phone, welder.id, recording)).json()
    await _put(phone, up["id"], 0, recording[:CHUNK])
    async with transaction(sessionmaker) as db:
        assert await exam_uploads_part.sweep_expired(db, settings, clock() + timedelta(hours=23)) == 0
    async with transaction(sessionmaker) as db:
        assert await exam_uploads_part.sweep_expired(db, settings, clock() + timedelta(hours=25)) == 1
    assert await _count(sessionmaker, ExamUpload) == 0
    assert not list(exam_uploads_part.upload_dir(settings).glob("*"))
