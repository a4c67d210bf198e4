"""Importing a messy ledger: the right merges, the right row errors, nothing half-written."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select

from backend.db.engine import transaction
from backend.ledger.service import run_import
from backend.ledger.values import BadValue, parse_date
from backend.people.models import Person
from backend.workers import service
from backend.workers.models import Certificate
from tests.backend.ledger.messy import ERRORS, serial, write_messy
from tests.factories import make_person


def test_dates_in_the_notations_ledgers_use() -> None:
    expected = date(2024, 3, 15)
    for value in (
        "2024-03-15",
        "2024/3/15",
        "2024年3月15日",
        "2024.3.15",
        "20240315",
        serial(expected),
        "45366",
    ):
        assert parse_date(value) == expected, value
    assert parse_date("2021-03-15至2024-03-15") == expected
    assert parse_date(None) is None and parse_date("  ") is None
    for bad in ("2024-02-30", "明年", "15/03/2024", 12):
        with pytest.raises(BadValue):
            parse_date(bad)


async def _run(sessionmaker, settings, clock, messy_path, strict=False):
    async with transaction(sessionmaker) as db:
        with messy_path.open("rb") as source:
            result = await run_import(
                db,
                service.catalog_for(settings),
                service.ciphers_for(settings.secret_key),
                source,
                now=clock(),
                default_unit="SA-W1-T1",
                strict=strict,
            )
        if result.status == "rejected":
            await db.rollback()
    return result


async def _counts(sessionmaker):
    async with sessionmaker() as db:
        return (
            await db.scalar(select(func.count()).select_from(Person)),
            await db.scalar(select(func.count()).select_from(Certificate)),
        )


@pytest.fixture
async def existing(sessionmaker, settings, org):
    async with transaction(sessionmaker) as db:
        return await make_person(db, settings.secret_key, org.team_b, "王大锤")


def holder(settings, person):
    return service.ciphers_for(settings.secret_key).id_number.decrypt(person.id_number_enc)


async def test_messy_ledger_merges_people_and_reports_bad_rows(
    sessionmaker, settings, clock, org, existing, tmp_path
):
    messy = write_messy(tmp_path / "台账.xlsx", holder(settings, existing), org.enterprise.name)
    result = await _run(sessionmaker, settings, clock, messy.path)
    assert result.status == "done"
    assert {e["row"]: e["code"] for e in result.errors} == ERRORS
    s = result.summary
    assert (s["rows"], s["rows_with_errors"], s["rows_valid"]) == (12, 5, 7)
    assert (s["people_created"], s["certificates_created"], s["duplicate_certificates"]) == (4, 6, 1)
    merges = {tuple(m["rows"]): m for m in result.report["merges"]}
    zhang = merges[(3, 4, 5)]
    assert zhang["names"] == ["张三", "张叁"] and zhang["kept_name"] == "张三"
    assert zhang["phones"] == ["13800000001", "13900000002"]
    assert zhang["id_number_masked"] == messy.a[:4] + "*" * 10 + messy.a[-4:]
    wang = merges[(13,)]
    assert wang["names"] == ["王大锤", "王大锺"] and wang["kept_name"] == "王大锤" and wang["existing"]
    assert result.report["duplicates"] == [
        {
            "id_number_masked": zhang["id_number_masked"],
            "item_key": "mem:02-01",
            "rows": [3, 5],
            "kept_row": 5,
        }
    ]
    assert all(messy.a not in str(v) for v in result.report.values())  # the report never holds a full ID

    cipher = service.ciphers_for(settings.secret_key).id_number
    async with sessionmaker() as db:
        people = {cipher.decrypt(p.id_number_enc): p for p in await db.scalars(select(Person))}
        assert people[messy.a].name == "张三" and people[messy.a].phone == "13800000001"
        assert people[messy.legacy15].name == "周九"  # 15 digits converted to 18
        assert people[messy.lower_x].name == "吴十"  # normalised to upper-case X
        certs = {(c.person_id, c.item_key): c for c in await db.scalars(select(Certificate))}
        welding = certs[(people[messy.a].id, "mem:02-01")]
        assert welding.valid_until == date(2030, 4, 15)  # the later of the duplicate rows
        forklift = next(c for c in certs.values() if c.item_key == "samr:N1")
        assert (forklift.first_issued_on, forklift.valid_until) == (date(2024, 3, 15), date(2028, 3, 15))
        builder = certs[(people[messy.lower_x].id, "mohurd:01")]
        assert (builder.issued_on, builder.valid_until, builder.family) == (
            date(2025, 6, 1),
            date(2027, 6, 1),
            "mohurd",
        )
        assert people[holder(settings, existing)].name == "王大锤" and (existing.id, "mem:02-01") in certs

    # The same ledger again: nothing new, everything "unchanged".
    again = await _run(sessionmaker, settings, clock, messy.path)
    assert (again.summary["people_created"], again.summary["certificates_created"]) == (0, 0)
    assert again.summary["certificates_unchanged"] == 6


async def test_strict_import_with_errors_writes_nothing(
    sessionmaker, settings, clock, org, existing, tmp_path
):
    messy = write_messy(tmp_path / "台账.xlsx", holder(settings, existing), org.enterprise.name)
    before = await _counts(sessionmaker)
    result = await _run(sessionmaker, settings, clock, messy.path, strict=True)
    assert result.status == "rejected" and {e["row"]: e["code"] for e in result.errors} == ERRORS
    assert await _counts(sessionmaker) == before


async def test_upload_from_the_pwa_runs_in_the_background(
    client_as, sessionmaker, settings, clock, org, existing, tmp_path
):
    messy = write_messy(tmp_path / "台账.xlsx", holder(settings, existing), org.enterprise.name)
    async with transaction(sessionmaker) as db:
        hr = await make_person(db, settings.secret_key, org.enterprise, "林人事", [("hr", org.enterprise)])
        worker = await make_person(db, settings.secret_key, org.team_a, "普通工")
    client = await client_as(hr)
    res = await client.post(
        "/api/ledger/imports",
        params={"unit": "SA-W1-T1", "filename": "台账.xlsx"},
        content=messy.path.read_bytes(),
        headers={"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    assert res.status_code == 202, res.text
    job = res.json()
    for _ in range(200):
        job = (await client.get(f"/api/ledger/imports/{job['id']}")).json()
        if job["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.05)
    assert job["status"] == "done", job
    assert job["progress"]["phase"] == "finished" and job["summary"]["certificates_created"] == 6
    assert {e["row"]: e["code"] for e in job["report"]["errors"]} == ERRORS
    assert [m["kept_name"] for m in job["report"]["merges"]] == ["张三", "王大锤"]
    listed = (await client.get("/api/ledger/imports")).json()
    assert [i["id"] for i in listed] == [job["id"]]

    not_xlsx = await client.post("/api/ledger/imports", content=b"%PDF-1.7 not a workbook")
    assert not_xlsx.status_code == 422 and not_xlsx.json()["code"] == "not_xlsx"
    too_big = await client.post("/api/ledger/imports", content=b"PK\x03\x04" + b"\x00" * (21 * 1024 * 1024))
    assert too_big.status_code == 413
    denied = await (await client_as(worker)).post("/api/ledger/imports", content=messy.path.read_bytes())
    assert denied.status_code == 403


async def test_a_failing_strict_upload_is_reported_as_rejected(
    client_as, sessionmaker, settings, clock, org, existing, tmp_path
):
    messy = write_messy(tmp_path / "台账.xlsx", holder(settings, existing), org.enterprise.name)
    async with transaction(sessionmaker) as db:
        hr = await make_person(db, settings.secret_key, org.enterprise, "林人事", [("hr", org.enterprise)])
    before = await _counts(sessionmaker)
    client = await client_as(hr)
    job = (
        await client.post(
            "/api/ledger/imports",
            params={"strict": True, "unit": "SA-W1-T1"},
            content=messy.path.read_bytes(),
        )
    ).json()
    for _ in range(200):
        job = (await client.get(f"/api/ledger/imports/{job['id']}")).json()
        if job["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.05)
    assert job["status"] == "rejected" and job["summary"]["rows_with_errors"] == 5
    assert await _counts(sessionmaker) == before
