"""`tezuo bench NAME [ARGS…]`: benchmarks by name → "module:function", imported only when run.

Each benchmark prints a readable table and, as its last line, one JSON object of its figures.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from backend.config import Settings

Bench = Callable[[list[str], Settings], int]

# Domains add their line here.
BENCHES: dict[str, str] = {
    "alarms": "backend.alarms.bench:main",
}


def register(sub: Any) -> None:
    cmd = sub.add_parser("bench", help="run a benchmark (a table, then one JSON line)")
    cmd.add_argument("name", choices=sorted(BENCHES))
    cmd.add_argument("args", nargs=argparse.REMAINDER, help="the benchmark's own options (NAME --help)")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    module, _, attr = BENCHES[args.name].partition(":")
    bench: Bench = getattr(importlib.import_module(module), attr)
    return bench(list(args.args), settings)
