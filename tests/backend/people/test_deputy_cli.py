"""`tezuo users deputy add|list|remove`: by resident ID number or id, the API's rules, audited as CLI."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.cli import main
from backend.db.engine import transaction
from backend.people.models import Deputy
from backend.people.service import id_cipher
from tests.factories import make_person


async def _run(argv: list[str]) -> int:
    return await asyncio.to_thread(main, ["users", "deputy", *argv])


async def test_an_admin_names_lists_and_removes_a_deputy_from_the_shell(
    org, sessionmaker, cli_env, capsys
) -> None:
    settings = cli_env
    async with transaction(sessionmaker) as db:
        key = settings.secret_key
        so = await make_person(db, key, org.workshop_a, "孙安全", [("safety_officer", org.workshop_a)])
        site_so = await make_person(db, key, org.site_a, "冯厂安", [("safety_officer", org.site_a)])
        outsider = await make_person(db, key, org.team_b, "王外厂")  # site B
    so_number = id_cipher(settings.secret_key).decrypt(so.id_number_enc)  # principal by ID number

    args = ["add", so_number, str(site_so.id), "--role", "safety_officer", "--until", "2099-01-01T08:00"]
    assert await _run(args) == 0
    out = capsys.readouterr().out
    assert "孙安全 → 冯厂安  safety_officer @ SA-W1" in out and "2099-01-01 00:00" in out
    designation = re.search(r"added (\S+)", out)
    assert designation

    assert await _run(["add", so_number, str(outsider.id), "--role", "safety_officer"]) == 2
    assert "deputy_out_of_site" in capsys.readouterr().err
    assert await _run(["add", "110101199001011234", str(outsider.id), "--role", "safety_officer"]) == 2
    assert "person_unknown" in capsys.readouterr().err

    assert await _run(["list", str(site_so.id)]) == 0
    out = capsys.readouterr().out
    assert "stands in for:" in out and "孙安全 → 冯厂安" in out

    assert await _run(["remove", designation.group(1)]) == 0
    assert "removed" in capsys.readouterr().out
    assert await _run(["remove", designation.group(1)]) == 2
    assert "deputy_unknown" in capsys.readouterr().err

    async with transaction(sessionmaker) as db:
        row = await db.scalar(select(Deputy).where(Deputy.principal_id == so.id))
        assert row is not None and row.deleted_at is not None
        entries = (await db.scalars(select(AuditEntry).where(AuditEntry.action.like("deputy.%")))).all()
    assert sorted(e.action for e in entries) == ["deputy.add", "deputy.remove"]
    assert {e.channel for e in entries} == {"cli"} and all(e.actor_id is None for e in entries)
