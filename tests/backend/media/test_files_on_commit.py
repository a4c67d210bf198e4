"""A scan photo or an exam video appears on disk only when its row commits: a commit that really
fails (the flush inside it hits a NOT NULL constraint) leaves no file, not even a pending one."""

from __future__ import annotations

import hashlib
import shutil

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend.core.ids import uuid7
from backend.db.engine import transaction
from backend.media import samples, service, video
from backend.media.models import CertificateScan, ExamVideo
from backend.people.models import Person
from tests.backend.media.conftest import card_photo
from tests.factories import make_person


def _files(root) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def _count(sessionmaker, model) -> int:
    async with transaction(sessionmaker) as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_failed_commit_leaves_no_exam_video_and_a_good_one_stores_it(
    sessionmaker, settings, org, clock, tmp_path
):
    settings = msgspec.structs.replace(settings, exam_min_seconds=2.0)
    async with transaction(sessionmaker) as db:
        person_id = (await make_person(db, settings.secret_key, org.team_a, "赵铁柱")).id
    video.write_clip(tmp_path / "exam.webm", [samples.astronaut()] * 15, fps=5)
    body = (tmp_path / "exam.webm").read_bytes()
    sha = hashlib.sha256(body).hexdigest()
    upload = settings.media_dir / "tmp" / "upload.part"
    upload.parent.mkdir(parents=True)

    shutil.copyfile(tmp_path / "exam.webm", upload)
    with pytest.raises(IntegrityError):
        async with transaction(sessionmaker) as db:
            person = await db.get(Person, person_id)
            assert person is not None
            await service.add_video(
                db, settings, clock(), person, person_id, "mem:02-01", upload, sha, len(body)
            )
            assert _files(service.exam_dir(settings))  # pending, under a hidden name
            db.add(ExamVideo(id=uuid7()))  # no person, file, hash…: the commit's flush fails
    assert _files(service.exam_dir(settings)) == []
    assert await _count(sessionmaker, ExamVideo) == 0

    shutil.copyfile(tmp_path / "exam.webm", upload)
    async with transaction(sessionmaker) as db:
        person = await db.get(Person, person_id)
        assert person is not None
        row = await service.add_video(
            db, settings, clock(), person, person_id, "mem:02-01", upload, sha, len(body)
        )
    assert _files(service.exam_dir(settings)) == [row.file]
    assert (service.exam_dir(settings) / row.file).read_bytes() == body


async def test_a_failed_commit_leaves_no_scan_photo(sessionmaker, settings, org, clock):
    async with transaction(sessionmaker) as db:
        person_id = (await make_person(db, settings.secret_key, org.team_a, "赵铁柱")).id
    _, photo = card_photo("mem")
    with pytest.raises(IntegrityError):
        async with transaction(sessionmaker) as db:
            person = await db.get(Person, person_id)
            assert person is not None
            await service.scan_certificate(db, settings, clock(), person, person_id, photo)
            db.add(CertificateScan(id=uuid7()))
    assert _files(service.scan_dir(settings)) == []
    assert await _count(sessionmaker, CertificateScan) == 0
