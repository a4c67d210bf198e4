"""`PUT /api/alarms/{id}/clip` keeps the file and the row together: a commit the database refuses
leaves no clip file behind, and a successful one leaves no temporary file.

The failure is real: a deferred foreign key (checked only at COMMIT) that a trigger on
`alarm_clips` violates, so the handler's flush succeeds and the COMMIT itself is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from backend.app import create_app
from tests.backend.alarms.plant import alarm_body, device_headers

AVI = b"RIFF\x10\x00\x00\x00AVI LIST" + b"\x00" * 64

GUARD = {
    "sqlite": [
        "CREATE TABLE commit_guard (alarm_id TEXT REFERENCES alarms(id) DEFERRABLE INITIALLY DEFERRED)",
        "CREATE TRIGGER refuse_clips AFTER INSERT ON alarm_clips "
        "BEGIN INSERT INTO commit_guard VALUES ('not-an-alarm'); END",
    ],
    "postgresql": [
        "CREATE TABLE commit_guard (alarm_id uuid REFERENCES alarms(id) DEFERRABLE INITIALLY DEFERRED)",
        "CREATE FUNCTION refuse_clips() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN INSERT INTO commit_guard VALUES (gen_random_uuid()); RETURN NEW; END $$",
        "CREATE TRIGGER refuse_clips AFTER INSERT ON alarm_clips "
        "FOR EACH ROW EXECUTE FUNCTION refuse_clips()",
    ],
}
UNGUARD = {
    "sqlite": ["DROP TRIGGER refuse_clips", "DROP TABLE commit_guard"],
    "postgresql": [
        "DROP TRIGGER refuse_clips ON alarm_clips",
        "DROP FUNCTION refuse_clips()",
        "DROP TABLE commit_guard",
    ],
}


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def _run(sessionmaker, statements: dict[str, list[str]]) -> None:
    async with sessionmaker() as db, db.begin():
        for sql in statements[db.get_bind().dialect.name]:
            await db.execute(text(sql))


async def test_a_refused_commit_leaves_no_clip_file(settings, clock, plant, sessionmaker):
    media = Path(settings.media_dir)
    async with AsyncTestClient(app=create_app(settings, clock), raise_server_exceptions=False) as client:
        body = alarm_body()
        res = await client.post(
            "/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock())
        )
        assert res.status_code == 201, res.text
        url = f"/api/alarms/{body['alarm_id']}/clip"

        await _run(sessionmaker, GUARD)
        try:
            refused = await client.put(url, content=AVI, headers=device_headers(plant.edge_token, clock()))
        finally:
            await _run(sessionmaker, UNGUARD)
        assert refused.status_code >= 500
        assert _files(media / "clips") == [] and _files(media / "tmp") == []
        async with sessionmaker() as db:
            count = await db.scalar(text("SELECT count(*) FROM alarm_clips"))
        assert count == 0

        # The edge retries the same bytes once the database accepts again: stored, nothing left over.
        stored = await client.put(url, content=AVI, headers=device_headers(plant.edge_token, clock()))
        assert stored.status_code == 201, stored.text
        [kept] = _files(media / "clips")
        assert kept.read_bytes() == AVI and kept.name == f"{stored.json()['sha256']}.avi"
        assert _files(media / "tmp") == []
        again = await client.put(url, content=AVI, headers=device_headers(plant.edge_token, clock()))
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert _files(media / "clips") == [kept] and _files(media / "tmp") == []


@pytest.mark.parametrize("payload", [b"not a video at all"])
async def test_a_rejected_upload_leaves_nothing(settings, clock, plant, payload):
    media = Path(settings.media_dir)
    async with AsyncTestClient(app=create_app(settings, clock)) as client:
        body = alarm_body()
        await client.post("/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock()))
        res = await client.put(
            f"/api/alarms/{body['alarm_id']}/clip",
            content=payload,
            headers=device_headers(plant.edge_token, clock()),
        )
        assert res.status_code == 415 or res.status_code == 422, res.text
    assert _files(media / "clips") == [] and _files(media / "tmp") == []
