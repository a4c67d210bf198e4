"""`tezuo sim push`: run the push-service simulator on loopback."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from backend.config import Settings


def register(sim: Any) -> None:
    """Add `push` to the `tezuo sim` subcommands."""
    cmd = sim.add_parser(
        "push", help="a Web Push service (RFC 8030/8291/8292) on loopback that records deliveries"
    )
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=8790)
    cmd.add_argument("--record", help="also append each delivery to this file as a JSON line")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from backend.push.simulator import serve

    try:
        asyncio.run(serve(args.host, args.port, args.record))
    except KeyboardInterrupt:
        return 130
    return 0
