"""`tezuo scheduler`: the one loop that fires durable timers (leased, so extra copies stand by)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    """Add the `scheduler` subcommand to the `tezuo` parser's subparsers."""
    cmd = sub.add_parser("scheduler", help="fire durable timers (reminders, escalations, daily checks)")
    cmd.add_argument("--poll", type=float, default=5.0, help="seconds between polls (default 5)")
    cmd.add_argument(
        "--owner",
        default=f"{socket.gethostname()}:{os.getpid()}",
        help="name this process holds the lease under (default host:pid)",
    )
    cmd.add_argument("--once", action="store_true", help="fire what is due now, then exit")
    cmd.add_argument("--log-level", default="info")
    cmd.set_defaults(func=run_scheduler)


def run_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return asyncio.run(_main(settings, args.owner, args.poll, args.once))


async def _main(settings: Settings, owner: str, poll: float, once: bool) -> int:
    from backend.core.clock import utcnow
    from backend.db.engine import make_engine, make_sessionmaker
    from backend.jobs.scheduler import Scheduler

    engine = make_engine(settings.database_url, pool_pre_ping=not settings.is_sqlite)
    scheduler = Scheduler(make_sessionmaker(engine), utcnow, owner)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Ctrl-C and `docker stop` (SIGTERM) finish the timer in hand, release the lease, then exit.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if not once:
            await scheduler.run_forever(poll, stop)
        elif await scheduler.tick(ttl_seconds=60):
            await scheduler.release_lease()
        else:
            print("another scheduler holds the lease; nothing fired")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await engine.dispose()
    return 0
