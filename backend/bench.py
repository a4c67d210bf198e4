"""`tezuo bench NAME [--quick] [OPTIONS…]`: benchmarks by name, NAME → "module:function", lazily imported.

Each bench is `async def run(settings, args) -> int`: `args.quick` asks for a smoke-test-sized run and
`args.args` holds the bench's own options (`tezuo bench audit --help`). It prints a readable table, then
ONE JSON object of its figures as its last line.
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
}


def register(sub: Any) -> None:
    cmd = sub.add_parser("bench", help="run a benchmark and print its figures (last line: JSON)")
    cmd.add_argument("name", choices=sorted(BENCHES))
    cmd.add_argument("--quick", action="store_true", help="fewer rounds (smoke test)")
    cmd.add_argument("args", nargs=argparse.REMAINDER, help="the benchmark's own options")
    cmd.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    if "--quick" in args.args:  # `tezuo bench NAME --quick`: after NAME, argparse leaves it in args
        args.args.remove("--quick")
        args.quick = True
    module, _, attr = BENCHES[args.name].partition(":")
    func = getattr(importlib.import_module(module), attr)
    result: int = asyncio.run(func(settings, args))
    return result
