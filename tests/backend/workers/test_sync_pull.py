"""A worker's phone pulls their own certificates and records (the change log's owner), whether
they were written one by one or by a ledger import's bulk path; nobody else's."""

from __future__ import annotations

from backend.db.engine import transaction
from backend.ledger.service import run_import
from backend.workers import service
from tests.backend.ledger.messy import write_messy
from tests.backend.workers.conftest import add_cert
from tests.factories import make_person


async def test_workers_pull_their_own_certificates(client_as, sessionmaker, settings, clock, org, tmp_path):
    async with transaction(sessionmaker) as db:
        welder = await make_person(db, settings.secret_key, org.team_a, "赵铁柱")
        other = await make_person(db, settings.secret_key, org.team_a, "钱小兵")
    await add_cert(sessionmaker, settings, clock, welder)
    await add_cert(sessionmaker, settings, clock, other, "samr:N1", years=4)
    # the bulk path: a ledger naming the welder (and others) imports an assignment for him
    ciphers = service.ciphers_for(settings.secret_key)
    messy = write_messy(
        tmp_path / "l.xlsx", ciphers.id_number.decrypt(welder.id_number_enc), org.enterprise.name
    )
    catalog = service.catalog_for(settings)
    async with transaction(sessionmaker) as db:
        await run_import(db, catalog, ciphers, messy.path.open("rb"), now=clock(), default_unit="SA-W1-T1")

    pulled = (
        await (await client_as(welder)).post("/api/sync/pull", json={"cursor": 0, "limit": 2000})
    ).json()
    mine = [c for c in pulled["changes"] if c["entity"] == "certificate"]
    assert {c["data"]["person_id"] for c in mine} == {str(welder.id)}
    assert len(mine) == 1  # the ledger's row for the welder's welding certificate is the same one
    assert "number_enc" not in mine[0]["data"] and "status" not in mine[0]["data"]
    # the assignment came from the import's bulk insert: its change-log row names its owner too
    assignments = [c for c in pulled["changes"] if c["entity"] == "worker_assignment"]
    assert [c["data"]["item_key"] for c in assignments] == ["mem:02-01"]
    assert {c["data"]["person_id"] for c in assignments} == {str(welder.id)}
