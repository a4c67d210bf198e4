"""Run in the e2e server's environment. `python -m tests.e2e.registry_plant units`: a site of its own
(E2E-S9 → E2E-W9 → E2E-T9), so the registry test's people stay out of other tests' ledgers.
`python -m tests.e2e.registry_plant PLANTS_JSON`: serve the
registry simulator on loopback with the ledger mirrored and the given discrepancies planted on
the certificates of the given ID numbers, then run the real registry check against it (what
`tezuo sim registry` + `tezuo registry check` do, with the plants chosen by the test)."""

from __future__ import annotations

import asyncio
import json
import sys

import msgspec
from sqlalchemy import select

from backend.catalog.service import catalog_for, local_date
from backend.config import load_settings
from backend.core.clock import utcnow
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.org.models import OrgUnit
from backend.org.service import create_unit
from backend.registry import service
from backend.registry.ledger_part import all_active
from backend.registry.plant import mirror, plant
from backend.registry.simulator import RegistryServer, RegistrySim
from backend.workers.numbers_part import ciphers_for

UNITS = [("site", "E2E-S9", "九号厂区"), ("workshop", "E2E-W9", "检修车间"), ("team", "E2E-T9", "检修一班")]


async def make_units() -> None:
    """The registry test's own site under the e2e enterprise (idempotent: a retried test)."""
    engine = make_engine(load_settings().database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            parent = await db.scalar(select(OrgUnit).where(OrgUnit.code == "E2E"))
            for kind, code, name in UNITS:
                unit = await db.scalar(select(OrgUnit).where(OrgUnit.code == code))
                parent = unit or await create_unit(db, kind, code, name, parent)
    finally:
        await engine.dispose()


async def main(plants: dict[str, str]) -> None:
    """`plants`: {holder ID number: discrepancy code}."""
    settings = load_settings()
    catalog = catalog_for(settings)
    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as db:
            entries = await all_active(db, ciphers_for(settings.secret_key))
        records = mirror(entries, catalog)
        today = local_date(utcnow(), catalog.policy)
        for id_number, code in plants.items():
            mine = [e for e in entries if e.id_number == id_number]
            plant(records, mine, catalog, today, codes=[code])
        server = RegistryServer(RegistrySim(records=records, latency=0))
        await server.start()
        try:
            configured = msgspec.structs.replace(settings, registry_url=server.url, registry_rate=0)
            run = await service.check_now(maker, configured, utcnow)
        finally:
            await server.stop()
    finally:
        await engine.dispose()
    print(json.dumps({"run": str(run.id), "discrepancies": run.discrepancies, "errors": run.errors}))


if __name__ == "__main__":
    asyncio.run(make_units() if sys.argv[1] == "units" else main(json.loads(sys.argv[1])))
