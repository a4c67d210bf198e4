"""Shared pieces of the audit tests: a small signed log, the `tezuo` command, raw SQL tampering."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit import service
from backend.audit.keys import load_signer
from backend.audit.schemas import Evidence, Record
from backend.config import Settings
from backend.db.engine import transaction

TEZUO = Path(sys.executable).with_name("tezuo")
ROOT = Path(__file__).resolve().parents[3]


def item(i: int) -> Record:
    return Record(
        action="permit.approve" if i % 3 else "person.create",
        entity="permit" if i % 3 else "person",
        entity_id=str(uuid.UUID(int=i + 1)),
        entity_version=i % 5 + 1,
        actor_id=uuid.UUID(int=1000 + i % 7),
        details={"step": i, "note": f"第{i}步"},
        evidence=Evidence(channel="api", ip="10.0.0.7", user_agent="test", device_time=f"hlc-{i}"),
    )


async def build_log(
    maker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, n: int = 40
) -> None:
    """n entries in uneven batches, with signed tree heads at 16 and at n."""
    signer = load_signer(settings.keys_dir)
    done = 0
    for size in (1, 2, 5, 8, 3, 7, 14):
        size = min(size, n - done)
        if size <= 0:
            break
        async with transaction(maker) as db:
            await service.record_many(db, clock.advance(seconds=1), [item(done + i) for i in range(size)])
        done += size
        if done == 16:
            async with transaction(maker) as db:
                await service.issue_tree_head(db, signer, clock())
    if done < n:
        async with transaction(maker) as db:
            await service.record_many(db, clock.advance(seconds=1), [item(i) for i in range(done, n)])
    async with transaction(maker) as db:
        await service.issue_tree_head(db, signer, clock.advance(seconds=1))


async def sql(maker: async_sessionmaker[AsyncSession], *statements: str, **params: Any) -> None:
    """Tamper directly in the database, as someone with table rights would."""
    async with transaction(maker) as db:
        for statement in statements:
            await db.execute(text(statement), params)


def env_for(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "TEZUO_DATABASE_URL": settings.database_url,
        "TEZUO_DATA_DIR": str(settings.data_dir),
        "TEZUO_SECRET_KEY": settings.secret_key.decode(),
    }


async def tezuo(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real `tezuo` command against the test database."""
    return await asyncio.to_thread(
        subprocess.run,
        [str(TEZUO), *args],
        env=env_for(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def script(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the standalone bundle verifier with a bare interpreter environment."""
    tool = ROOT / "tools" / "verify_audit_bundle.py"
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, str(tool), *args], capture_output=True, text=True, timeout=120
    )
