"""`tezuo bench NAME`: benchmarks by name, each a "module:function" imported only when run.

A benchmark prints a readable table and, as its very last line, one JSON object of its figures.
Its function takes (argv, settings) and returns the exit status.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from backend.config import Settings

BENCHES: dict[str, str] = {
    "qualifications": "backend.ledger.bench:run",
}


def register(sub: Any) -> None:
    cmd = sub.add_parser("bench", help="run a benchmark: " + ", ".join(sorted(BENCHES)))
    cmd.add_argument("name", choices=sorted(BENCHES))
    cmd.add_argument("options", nargs=argparse.REMAINDER, help="the benchmark's own options (NAME --help)")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    module, _, attr = BENCHES[args.name].partition(":")
    bench = getattr(importlib.import_module(module), attr)
    return int(bench(list(args.options), settings))
