"""Registry fixtures: the registry simulator on a real socket, a small ledger, an HTTP adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.service import catalog_for, local_date
from backend.config import Settings
from backend.db.engine import transaction
from backend.people.models import Person
from backend.registry.adapter import HttpRegistry
from backend.registry.ledger_part import LedgerEntry, all_active
from backend.registry.plant import mirror
from backend.registry.simulator import RegistryServer, RegistrySim
from backend.workers import service
from backend.workers.deadlines_part import add_years
from backend.workers.models import Certificate
from tests.factories import Org, make_person

ITEMS = ("mem:02-01", "mem:01-02", "mem:03-02")


@pytest.fixture
async def registry_sim() -> AsyncIterator[RegistryServer]:
    server = RegistryServer(RegistrySim(seed=7))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def add_cert(
    maker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, person: Person, item_key: str,
    valid_for_days: int = 1000,
) -> Certificate:  # fmt: skip
    today = local_date(clock(), catalog_for(settings).policy)
    until = today + timedelta(days=valid_for_days)
    issued = add_years(until, -6)
    reviewed = add_years(issued, 3) - timedelta(days=20)
    async with transaction(maker) as db:
        ctx = service.context(db, settings, clock())
        holder = ctx.ciphers.id_number.decrypt(person.id_number_enc)
        mem = item_key.startswith("mem:")
        data = service.CertificateInput(
            item_key=item_key,
            number="T" + holder if mem else "TS0000012345",
            issued_on=issued,
            valid_until=until,
            issuing_authority="南京市应急管理局",
            last_reviewed_on=reviewed if mem and reviewed < today else None,
        )
        return await service.add_certificate(ctx, person, data)


@dataclass
class Ledger:
    people: list[Person]
    certs: list[Certificate]


async def make_ledger(
    maker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, org: Org, n: int
) -> Ledger:
    """`n` workers with one 特种作业 certificate each, plus a lapsed one and a 市场监管 one (which
    the registry check must leave alone or find consistent)."""
    people, certs = [], []
    async with transaction(maker) as db:
        for i in range(n + 1):
            people.append(
                await make_person(
                    db, settings.secret_key, org.team_a, f"张{'一二三四五六七八九十'[i % 10]}{i}"
                )
            )
    for i, p in enumerate(people[:n]):
        certs.append(await add_cert(maker, settings, clock, p, ITEMS[i % len(ITEMS)]))
    # one lapsed 40 days ago (ledger and registry agree) and one samr certificate (not asked)
    certs.append(await add_cert(maker, settings, clock, people[n], "mem:02-01", valid_for_days=-40))
    await add_cert(maker, settings, clock, people[0], "samr:N1")
    return Ledger(people, certs)


async def seed_registry(
    maker: async_sessionmaker[AsyncSession], settings: Settings, sim: RegistrySim
) -> list[LedgerEntry]:
    async with maker() as db:
        entries = await all_active(db, service.ciphers_for(settings.secret_key))
    sim.records = mirror(entries, catalog_for(settings))
    return entries


def adapter(client: httpx.AsyncClient, server: RegistryServer, **kw: Any) -> HttpRegistry:
    opts: dict[str, Any] = {"rate_per_second": 0, "timeout": 2.0, "retries": 3, "backoff_base": 0.02}
    return HttpRegistry(client, server.url, **(opts | kw))
