"""The registry endpoints through the real app: last run, findings with acknowledge/resolve by
the safety officer, a person's verification history, the xlsx export, and refusals."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit.models import AuditEntry
from backend.config import Settings
from backend.db.engine import transaction
from backend.people.models import Person
from backend.registry.plant import plant
from backend.registry.run_part import run_check
from backend.registry.simulator import RegistryServer
from tests.backend.registry.conftest import adapter, add_cert, make_ledger, seed_registry
from tests.factories import Org, make_person


async def test_officer_sees_run_findings_history_and_export(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, org: Org,
    registry_sim: RegistryServer, client_as: Callable[[Person], Awaitable[Any]],
) -> None:  # fmt: skip
    ledger = await make_ledger(sessionmaker, settings, clock, org, 4)
    sim = registry_sim.sim
    entries = await seed_registry(sessionmaker, settings, sim)
    planted = plant(
        sim.records, entries, settings_catalog(settings), clock().date(), codes=["not_found", "name_mismatch"]
    )
    async with httpx.AsyncClient() as client:
        await run_check(sessionmaker, settings, adapter(client, registry_sim), clock, owner="api")
    async with transaction(sessionmaker) as db:
        officer = await make_person(
            db, settings.secret_key, org.team_a, "王安全", [("safety_officer", org.enterprise)]
        )
    api = await client_as(officer)

    last = (await api.get("/api/registry/runs/last")).json()
    assert last["run"]["checked"] == 5 and last["run"]["discrepancies"] == 2 and last["configured"] is False
    assert last["outcomes"] == {"match": 3, "not_found": 1, "name_mismatch": 1}
    body = (await api.get("/api/registry/findings")).json()
    assert {f["code"] for f in body["items"]} == {"not_found", "name_mismatch"} and body["counts"] == {
        "open": 2
    }
    mismatch = next(f for f in body["items"] if f["code"] == "name_mismatch")
    assert (
        mismatch["kind"] == "mismatch"
        and mismatch["detail"]["registry"]["holder_name"] != mismatch["person_name"]
    )

    bad = await api.post(f"/api/registry/findings/{mismatch['id']}/resolve", json={"note": "  "})
    assert bad.status_code == 422 and bad.json()["code"] == "note_required"
    extra = await api.post(f"/api/registry/findings/{mismatch['id']}/acknowledge", json={"x": 1})
    assert extra.status_code == 400
    ack = await api.post(f"/api/registry/findings/{mismatch['id']}/acknowledge", json={})
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = await api.post(f"/api/registry/findings/{mismatch['id']}/acknowledge", json={})
    assert again.status_code == 409
    done = await api.post(
        f"/api/registry/findings/{mismatch['id']}/resolve", json={"note": "户籍改名，台账已更正"}
    )
    assert done.json()["status"] == "resolved"
    async with sessionmaker() as db:  # who acknowledged and resolved, and why, is in the audit log
        audited = (
            await db.execute(
                select(AuditEntry.action, AuditEntry.details)
                .where(AuditEntry.entity == "registry_finding")
                .order_by(AuditEntry.leaf_index)
            )
        ).all()
    assert [a for a, _ in audited] == ["registry.finding_acknowledged", "registry.finding_resolved"]
    assert audited[1][1]["note"] == "户籍改名，台账已更正"
    assert (await api.get("/api/registry/findings?status=resolved")).json()["counts"] == {
        "open": 1,
        "resolved": 1,
    }
    assert (await api.get("/api/registry/findings?status=nope")).status_code == 422

    holder = next(
        p for p in ledger.people if p.id == mismatch["person_id"] or str(p.id) == mismatch["person_id"]
    )
    history = (await api.get(f"/api/registry/people/{holder.id}/history")).json()
    assert [c["outcome"] for c in history["checks"]] == ["name_mismatch"]

    xlsx = await api.get("/api/registry/export.xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert len(list(wb["核验结果"].iter_rows())) == 1 + 5
    assert len(list(wb["核验发现"].iter_rows())) == 1 + 2
    assert set(planted.values()) == {"not_found", "name_mismatch"}

    worker = await client_as(ledger.people[0])
    assert (await worker.get("/api/registry/findings")).status_code == 403
    own = await worker.get(f"/api/registry/people/{ledger.people[0].id}/history")
    assert own.status_code == 200 and len(own.json()["checks"]) == 1
    assert (await worker.get(f"/api/registry/people/{ledger.people[1].id}/history")).status_code == 403


def settings_catalog(settings: Settings) -> Any:
    from backend.catalog.service import catalog_for

    return catalog_for(settings)


async def test_last_run_counts_only_the_viewers_scope(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, org: Org,
    registry_sim: RegistryServer, client_as: Callable[[Person], Awaitable[Any]],
) -> None:  # fmt: skip
    """A safety officer scoped to one workshop sees the run's outcomes for that workshop only,
    as the findings list already is; the run's own progress figures stay the run's."""
    ledger = await make_ledger(sessionmaker, settings, clock, org, 4)  # team A: 5 checked, 2 planted
    async with transaction(sessionmaker) as db:
        far = await make_person(db, settings.secret_key, org.team_b, "陈远")
    await add_cert(sessionmaker, settings, clock, far, "mem:02-01")  # team B: one that matches
    sim = registry_sim.sim
    entries = await seed_registry(sessionmaker, settings, sim)
    mine = {p.id for p in ledger.people}
    plant(
        sim.records, [e for e in entries if e.person_id in mine], settings_catalog(settings),
        clock().date(), codes=["not_found", "name_mismatch"],
    )  # fmt: skip
    async with httpx.AsyncClient() as client:
        await run_check(sessionmaker, settings, adapter(client, registry_sim), clock, owner="api")
    async with transaction(sessionmaker) as db:
        sk = settings.secret_key
        whole = await make_person(db, sk, org.enterprise, "总安全", [("safety_officer", org.enterprise)])
        a = await make_person(db, sk, org.workshop_a, "甲安全", [("safety_officer", org.workshop_a)])
        b = await make_person(db, sk, org.workshop_b, "乙安全", [("safety_officer", org.workshop_b)])

    last = (await (await client_as(whole)).get("/api/registry/runs/last")).json()
    assert last["run"]["checked"] == 6
    assert last["outcomes"] == {"match": 4, "not_found": 1, "name_mismatch": 1}
    last = (await (await client_as(a)).get("/api/registry/runs/last")).json()
    assert last["outcomes"] == {"match": 3, "not_found": 1, "name_mismatch": 1}
    api_b = await client_as(b)
    last = (await api_b.get("/api/registry/runs/last")).json()
    assert last["outcomes"] == {"match": 1}
    assert (await api_b.get("/api/registry/findings")).json() == {"items": [], "counts": {}}
