"""The daily check against the registry simulator over loopback HTTP: planted discrepancies are
found and nothing else, the rate limit holds, errors are retried then reported, never valid."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit.models import AuditEntry
from backend.catalog.service import catalog_for, local_date
from backend.config import Settings
from backend.registry.models import RegistryCheck, RegistryFinding
from backend.registry.plant import plant
from backend.registry.run_part import RunOptions, run_check
from backend.registry.simulator import RegistryServer
from backend.workers.models import Certificate, Freeze
from tests.backend.registry.conftest import adapter, make_ledger, seed_registry
from tests.factories import Org


async def _findings(maker: async_sessionmaker[AsyncSession]) -> list[RegistryFinding]:
    async with maker() as db:
        return list(await db.scalars(select(RegistryFinding)))


async def test_planted_discrepancies_found_and_nothing_else_under_the_rate_limit(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, org: Org,
    registry_sim: RegistryServer,
) -> None:  # fmt: skip
    await make_ledger(sessionmaker, settings, clock, org, 12)
    sim = registry_sim.sim
    entries = await seed_registry(sessionmaker, settings, sim)
    assert len(entries) == 13  # the samr certificate is not the national registry's
    catalog = catalog_for(settings)
    planted = plant(sim.records, entries, catalog, local_date(clock(), catalog.policy))
    sim.rate_limit, sim.error_rate = 4, 0.2  # the gateway's limit, and flaky
    async with httpx.AsyncClient() as client:
        registry = adapter(client, registry_sim, rate_per_second=4, retries=8, batch_size=2)
        run = await run_check(
            sessionmaker,
            settings,
            registry,
            clock,
            owner="t1",
            options=RunOptions(concurrency=3, page_size=4),
        )
    assert (run.status, run.checked, run.errors) == ("completed", 13, 0)
    assert (run.discrepancies, run.matched) == (6, 7)
    found = {f.certificate_id: f.code for f in await _findings(sessionmaker)}
    assert found == planted
    stats = sim.stats()
    assert stats["max_in_window"] <= 4 and stats["rejected"] == 0
    assert stats["errors"] > 0  # the flaky answers happened and were retried away

    by_code = {code: cid for cid, code in planted.items()}
    async with sessionmaker() as db:
        frozen = {
            f.certificate_id for f in await db.scalars(select(Freeze).where(Freeze.lifted_at.is_(None)))
        }
        assert frozen == {by_code[c] for c in ("not_found", "revoked", "expired", "wrong_item")}
        revoked = await db.get(Certificate, by_code["revoked"])
        assert revoked is not None and revoked.revoked_at is not None
        renewed = await db.get(Certificate, by_code["renewed"])
        assert renewed is not None
        registry_until = next(
            r.answer.valid_until for r in sim.records.values() if r.answer.issued_on == renewed.issued_on
        )
        assert renewed.valid_until == registry_until
        updates = list(
            await db.scalars(select(AuditEntry).where(AuditEntry.action == "registry.ledger_updated"))
        )
        assert len(updates) == 1
        kinds = {f.code: (f.kind, f.action) for f in await db.scalars(select(RegistryFinding))}
    assert kinds["renewed"] == ("stale_ledger", "ledger_updated")
    assert kinds["name_mismatch"] == ("mismatch", "none")
    assert kinds["not_found"] == ("shadow_operator", "frozen")

    # The next day's run sees the same registry: no new findings, the open ones are seen again.
    sim.error_rate = 0
    clock.advance(days=1)
    async with httpx.AsyncClient() as client:
        run2 = await run_check(
            sessionmaker, settings, adapter(client, registry_sim, batch_size=5), clock, owner="t2"
        )
    assert run2.checked == 12  # the revoked certificate is no longer active
    again = await _findings(sessionmaker)
    assert len(again) == 6
    assert sorted(f.seen for f in again) == [1, 1, 2, 2, 2, 2]  # revoked and renewed are settled


async def test_errors_and_timeouts_are_retried_then_reported_never_valid(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, org: Org,
    registry_sim: RegistryServer,
) -> None:  # fmt: skip
    await make_ledger(sessionmaker, settings, clock, org, 6)
    sim = registry_sim.sim
    entries = await seed_registry(sessionmaker, settings, sim)
    failing, hanging = entries[1], entries[4]
    sim.fail_numbers, sim.hang_numbers = {failing.number}, {hanging.number}
    async with httpx.AsyncClient() as client:
        registry = adapter(client, registry_sim, timeout=0.3, retries=2, batch_size=3)
        run = await run_check(
            sessionmaker, settings, registry, clock, owner="t", options=RunOptions(concurrency=2)
        )
    assert (run.status, run.errors, run.matched, run.discrepancies) == ("completed_with_errors", 2, 5, 0)
    async with sessionmaker() as db:
        checks = {c.certificate_id: c for c in await db.scalars(select(RegistryCheck))}
        assert not list(await db.scalars(select(Freeze)))
    for bad in (failing, hanging):
        check = checks[bad.certificate_id]
        assert check.outcome == "error" and check.answer == {}
        assert check.error and "after 3 attempts" in check.error
        # its batch tried 3 times, then the number alone 3 times
        assert sim.queried[bad.number] == 6
    assert "timeout" in (checks[hanging.certificate_id].error or "")
    assert not await _findings(sessionmaker)
