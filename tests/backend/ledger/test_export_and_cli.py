"""Export the ledger (full ID numbers only for HR), import it back; the CLI's progress bar and
report; the benchmark's last line."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from backend.cli import main
from backend.config import Settings
from backend.db.engine import transaction
from backend.ledger.columns import HEADERS, map_headers
from backend.ledger.export_part import COLUMNS
from tests.backend.ledger.messy import ERRORS, write_messy
from tests.backend.workers.conftest import add_cert
from tests.factories import make_person


def _env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("TEZUO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TEZUO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TEZUO_SECRET_KEY", settings.secret_key.decode())


def test_export_headers_read_back_as_the_same_fields() -> None:
    found = map_headers(COLUMNS)
    assert {"name", "id_number", "phone", "company", "unit", "family", "category", "item", "number"} <= set(
        found
    )
    assert COLUMNS[found["unit"]] == "班组编码" and COLUMNS[found["reviewed_on"]] == "最近复审日期"
    assert all(
        aliases[0] in COLUMNS or field in ("credit_code", "first_issued_on")
        for field, aliases in HEADERS.items()
        if field in found
    )


async def test_export_masks_for_managers_and_round_trips_for_hr(
    client_as, sessionmaker, settings, clock, org
):
    async with transaction(sessionmaker) as db:
        welder = await make_person(db, settings.secret_key, org.team_a, "赵铁柱")
        hr = await make_person(db, settings.secret_key, org.enterprise, "林人事", [("hr", org.enterprise)])
        leader = await make_person(
            db, settings.secret_key, org.team_a, "周班长", [("team_leader", org.team_a)]
        )
    await add_cert(sessionmaker, settings, clock, welder, valid_for_days=200)
    await add_cert(sessionmaker, settings, clock, welder, "samr:N1", valid_for_days=20, years=4)
    full = await (await client_as(hr)).get("/api/ledger/export.xlsx")
    assert full.status_code == 200 and full.headers["content-disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(full.content)).active.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == 3
    number = rows[1][1]
    assert len(number) == 18 and "*" not in number and rows[1][11] in ("T" + number, "TS0000012345")
    masked = await (await client_as(leader)).get("/api/ledger/export.xlsx")
    mrows = list(load_workbook(io.BytesIO(masked.content)).active.iter_rows(values_only=True))
    assert mrows[1][1].count("*") == 10 and number not in str(mrows)

    path = settings.data_dir / "export.xlsx"
    path.write_bytes(full.content)
    from backend.ledger.service import run_import
    from backend.workers import service

    async with transaction(sessionmaker) as db:
        result = await run_import(
            db,
            service.catalog_for(settings),
            service.ciphers_for(settings.secret_key),
            path.open("rb"),
            now=clock(),
        )
    assert result.errors == [] and result.summary["certificates_unchanged"] == 2


async def test_cli_import_prints_progress_and_the_report(
    monkeypatch, capsys, sessionmaker, settings, org, tmp_path
):
    async with transaction(sessionmaker) as db:
        existing = await make_person(db, settings.secret_key, org.team_b, "王大锤")
    from backend.workers import service

    number = service.ciphers_for(settings.secret_key).id_number.decrypt(existing.id_number_enc)
    messy = write_messy(tmp_path / "ledger.xlsx", number, org.enterprise.name)
    _env(monkeypatch, settings)
    report = tmp_path / "report.json"
    code = await _in_thread(
        ["import", "workers", str(messy.path), "--unit", "SA-W1-T1", "--report", str(report)]
    )
    out = capsys.readouterr()
    assert code == 1  # imported, but some rows had errors
    assert "100%" in out.err and "写入 write" in out.err
    assert "certificates_created" in out.out and "id_number_checksum" in out.out
    saved = json.loads(report.read_text())
    assert {e["row"]: e["code"] for e in saved["errors"]} == ERRORS and saved["status"] == "done"

    code = await _in_thread(["import", "workers", str(messy.path), "--unit", "SA-W1-T1", "--strict"])
    assert code == 1 and "rejected" in capsys.readouterr().out

    out_file = tmp_path / "out.xlsx"
    assert await _in_thread(["export", "workers", str(out_file), "--masked"]) == 0
    assert "exported 6 certificates" in capsys.readouterr().out


async def _in_thread(argv: list[str]) -> int:
    """The CLI runs its own event loop; give it a thread so it does not meet the test's."""
    import asyncio

    return await asyncio.to_thread(main, argv)


async def test_bench_prints_a_table_then_one_json_line(monkeypatch, capsys, settings):
    _env(monkeypatch, settings)
    code = await _in_thread(
        ["bench", "qualifications", "--workers", "60", "--certificates", "150", "--db", "sqlite", "--quiet"]
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and "daily scan, first run" in "\n".join(out)
    figures = json.loads(out[-1])
    assert figures["sqlite"]["rows"] == 150 and figures["sqlite"]["certificates_created"] == 150
    assert figures["sqlite"]["import_rows_per_s"] > 0 and figures["sqlite"]["scan_first_s"] >= 0
