"""Rows changed behind the log's back — modified, deleted, inserted, reordered — are caught by
`tezuo audit verify`, which names the first affected entry (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from backend.audit.rows import ENTRY_COLUMNS
from tests.backend.audit.helpers import build_log, sql, tezuo

SHIFT = 1_000_000  # renumber through a far range so the primary key never collides mid-update
COPY = ", ".join(ENTRY_COLUMNS)


async def test_an_untouched_log_verifies(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    res = await tezuo(settings, "audit", "verify")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "OK" in res.stdout and "40" in res.stdout


async def test_a_modified_row_is_named(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    await sql(sessionmaker, "UPDATE audit_entries SET action = 'permit.reject' WHERE leaf_index = 17")
    res = await tezuo(settings, "audit", "verify")
    assert res.returncode == 1
    assert "FAIL: ALTERED entry #17" in res.stdout, res.stdout


async def test_a_deleted_row_is_named(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    await sql(sessionmaker, "DELETE FROM audit_entries WHERE leaf_index = 20")
    res = await tezuo(settings, "audit", "verify")
    assert res.returncode == 1
    assert "FAIL: REMOVED entry #20" in res.stdout, res.stdout


async def test_an_inserted_row_is_named(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    # make room at #10 by renumbering everything after it, then slip a back-dated copy in
    await sql(
        sessionmaker,
        f"UPDATE audit_entries SET leaf_index = leaf_index + {SHIFT} WHERE leaf_index >= 10",
        f"UPDATE audit_entries SET leaf_index = leaf_index - {SHIFT} + 1 WHERE leaf_index >= {SHIFT}",
        f"INSERT INTO audit_entries ({COPY}) SELECT 10, {COPY[len('leaf_index, ') :]} FROM audit_entries"
        " WHERE leaf_index = 3",
    )
    res = await tezuo(settings, "audit", "verify")
    assert res.returncode == 1
    assert "FAIL: INSERTED entry #10" in res.stdout, res.stdout


async def test_reordered_rows_are_named(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    await sql(
        sessionmaker,
        f"UPDATE audit_entries SET leaf_index = {SHIFT} WHERE leaf_index = 12",
        "UPDATE audit_entries SET leaf_index = 12 WHERE leaf_index = 25",
        f"UPDATE audit_entries SET leaf_index = 25 WHERE leaf_index = {SHIFT}",
    )
    res = await tezuo(settings, "audit", "verify")
    assert res.returncode == 1
    assert "FAIL: REORDERED entry #12" in res.stdout, res.stdout
    assert "REORDERED entry #25" in res.stdout
