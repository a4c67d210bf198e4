"""A `tezuo registry check` process killed mid-run: the next run resumes from the checkpoint and
does not ask the registry again about certificates whose outcome was already stored."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config import Settings
from backend.registry.models import RegistryCheck, RegistryRun
from backend.registry.run_part import RunOptions, run_check
from backend.registry.simulator import RegistryServer
from tests.backend.registry.conftest import adapter, make_ledger, seed_registry
from tests.factories import Org


async def _stored(maker: async_sessionmaker[AsyncSession]) -> set[Any]:
    async with maker() as db:
        return set(await db.scalars(select(RegistryCheck.certificate_id)))


async def test_killed_run_resumes_without_asking_again(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, org: Org,
    registry_sim: RegistryServer, tmp_path: Path,
) -> None:  # fmt: skip
    await make_ledger(sessionmaker, settings, clock, org, 19)
    sim = registry_sim.sim
    entries = await seed_registry(sessionmaker, settings, sim)
    sim.latency = 0.1
    env = os.environ | {
        "TEZUO_DATABASE_URL": settings.database_url,
        "TEZUO_SECRET_KEY": settings.secret_key.decode(),
        "TEZUO_DATA_DIR": str(tmp_path),
        "TEZUO_REGISTRY_URL": registry_sim.url,
        "TEZUO_REGISTRY_BATCH": "1",
        "TEZUO_REGISTRY_CONCURRENCY": "1",
        "TEZUO_REGISTRY_PAGE": "5",
        "TEZUO_REGISTRY_RATE": "0",
    }
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "tezuo"), "registry", "check", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(600):  # until the first page (5 certificates) is committed
            if len(await _stored(sessionmaker)) >= 5:
                break
            await asyncio.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        await proc.wait()
    done_before = await _stored(sessionmaker)
    assert 5 <= len(done_before) < len(entries)
    asked_before = sum(sim.queried.values())

    # The dead process's lease runs out; then a run (here in-process) takes over.
    later = datetime.now(UTC) + timedelta(minutes=5)
    async with httpx.AsyncClient() as client:
        run = await run_check(
            sessionmaker, settings, adapter(client, registry_sim, batch_size=4), lambda: later,
            owner="resumer", options=RunOptions(concurrency=2, page_size=5),
        )  # fmt: skip
    assert (run.status, run.resumes, run.checked, run.total) == ("completed", 1, len(entries), len(entries))
    numbers = {e.certificate_id: e.number for e in entries}
    for cert_id in done_before:
        assert sim.queried[numbers[cert_id]] == 1, "a finished certificate was asked again"
    assert set(sim.queried) == set(numbers.values())
    # only the killed page's certificates (stored by nobody) may have been asked twice
    assert sum(sim.queried.values()) - len(entries) <= asked_before - len(done_before)
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(RegistryRun)) == 1
        assert await db.scalar(select(func.count()).select_from(RegistryCheck)) == len(entries)
