"""`tezuo sim push`: run the push-service simulator on loopback."""

from __future__ import annotations

import argparse
import asyncio

from backend.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    from backend.push.simulator import serve

    try:
        asyncio.run(serve(args.host, args.port, args.record))
    except KeyboardInterrupt:
        return 130
    return 0
