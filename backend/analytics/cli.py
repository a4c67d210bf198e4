"""`tezuo analytics fold|rebuild`: bring the dashboard rollups up to date, or rebuild them from the
records (the backfill for an existing database, or after writes that bypassed the change log)."""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    cmd = sub.add_parser("analytics", help="effectiveness-analytics rollups").add_subparsers(
        dest="analytics_command", required=True
    )
    fold = cmd.add_parser("fold", help="fold the changes since the last fold into the rollups")
    fold.set_defaults(func=lambda args, settings: asyncio.run(_fold(settings, args, rebuild=False)))
    rebuild = cmd.add_parser("rebuild", help="recompute every day of the rollups from the records")
    rebuild.set_defaults(func=lambda args, settings: asyncio.run(_fold(settings, args, rebuild=True)))


async def _fold(settings: Settings, args: argparse.Namespace, rebuild: bool) -> int:
    import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
    from backend.analytics import fold
    from backend.db.engine import make_engine, make_sessionmaker, transaction

    engine = make_engine(settings.database_url)
    started = time.perf_counter()
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            days = await fold.fold(db, datetime.now(UTC), rebuild=rebuild)
    finally:
        await engine.dispose()
    print(f"analytics rollups: {days} days recomputed in {time.perf_counter() - started:.1f} s")
    return 0
