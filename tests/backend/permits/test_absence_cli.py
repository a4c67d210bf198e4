"""`tezuo users away add|list|end`: HR marks someone away from the shell; alarms then reach the B角."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.cli import main
from backend.db.engine import transaction
from backend.people.service import id_cipher
from backend.permits.approvals import is_away
from tests.factories import make_person


async def _run(argv: list[str]) -> int:
    return await asyncio.to_thread(main, ["users", "away", *argv])


async def test_hr_marks_a_person_away_lists_and_ends_it_from_the_shell(
    org, sessionmaker, cli_env, capsys
) -> None:
    settings = cli_env
    async with transaction(sessionmaker) as db:
        so = await make_person(
            db, settings.secret_key, org.workshop_a, "孙安全", [("safety_officer", org.workshop_a)]
        )
    number = id_cipher(settings.secret_key).decrypt(so.id_number_enc)

    assert await _run(["add", number, "--until", "2099-01-01T08:00", "--reason", "出差"]) == 0
    out = capsys.readouterr().out
    assert "孙安全" in out and "2099-01-01 00:00 UTC" in out and "current" in out and "出差" in out
    absence = re.search(r"away (\S+)", out)
    assert absence
    async with transaction(sessionmaker) as db:
        assert await is_away(db, so.id, so.created_at.replace(year=2098)) is not None

    assert await _run(["add", number, "--until", "2001-01-01T08:00"]) == 2
    assert "times_invalid" in capsys.readouterr().err
    assert await _run(["list", str(so.id)]) == 0
    assert absence.group(1) in capsys.readouterr().out

    assert await _run(["end", absence.group(1)]) == 0
    assert "ended" in capsys.readouterr().out
    assert await _run(["end", absence.group(1)]) == 2
    assert "absence_over" in capsys.readouterr().err
    assert await _run(["list", number]) == 0
    assert "not away" in capsys.readouterr().out

    async with transaction(sessionmaker) as db:
        entries = (await db.scalars(select(AuditEntry).where(AuditEntry.action.like("absence.%")))).all()
    assert sorted(e.action for e in entries) == ["absence.add", "absence.end"]
    assert {e.channel for e in entries} == {"cli"}
