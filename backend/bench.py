"""`tezuo bench NAME`: a registry of benchmarks, NAME → "module:function", imported lazily.

Each bench is `async def run(settings, args) -> int`; it prints a readable table, then one JSON
line. `args.quick` asks for a smoke-test-sized run; `args.options` holds the bench's own options
(everything after NAME), which it parses itself.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from typing import Any

from backend.config import Settings

BENCHES: dict[str, str] = {
    "audit": "backend.audit.bench:run",
    "permits": "backend.permits.bench:run",
    "sync": "backend.sync.bench:run",
    "qualifications": "backend.ledger.bench:run",
    "alarms": "backend.alarms.bench:run",
    "registry": "backend.registry.bench:run",
    "badge": "backend.badges.bench:run",
    "edge": "edge.bench.run:run",
    "media": "backend.media.bench:run",
    "analytics": "backend.analytics.bench:run",
}


def register(sub: Any) -> None:
    cmd = sub.add_parser("bench", help="run a benchmark and print its figures (last line: JSON)")
    cmd.add_argument("name", choices=sorted(BENCHES))
    cmd.add_argument("--quick", action="store_true", help="fewer rounds (smoke test)")
    cmd.add_argument("options", nargs=argparse.REMAINDER, help="the bench's own options (`-- --help`)")
    cmd.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    if "--quick" in args.options:  # `tezuo bench NAME --quick`: the flag after the name
        args.quick = True
        args.options = [o for o in args.options if o != "--quick"]
    module, _, attr = BENCHES[args.name].partition(":")
    func = getattr(importlib.import_module(module), attr)
    result: int = asyncio.run(func(settings, args))
    return result
