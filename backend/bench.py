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
    "permits": "backend.permits.bench:run",
    "qualifications": "backend.ledger.bench:run",
}


def register(sub: Any) -> None:
    cmd = sub.add_parser("bench", help="run a benchmark and print its figures (last line: JSON)")
    cmd.add_argument("name", choices=sorted(BENCHES))
    cmd.add_argument("--quick", action="store_true", help="fewer rounds (smoke test)")
    cmd.add_argument("options", nargs=argparse.REMAINDER, help="the benchmark's own options (NAME --help)")
    cmd.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    if "--quick" in args.options:  # `bench NAME --quick`: after NAME, argparse hands it to options
        args.options.remove("--quick")
        args.quick = True
    module, _, attr = BENCHES[args.name].partition(":")
    func = getattr(importlib.import_module(module), attr)
    result: int = asyncio.run(func(settings, args))
    return result
