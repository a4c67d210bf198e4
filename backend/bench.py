"""`tezuo bench NAME`: benchmarks, imported only when asked for.

Each entry maps a name to "module:function"; the function takes (argv, settings) and returns an
exit status. A bench prints a readable table, then ONE JSON object of its figures as its last line.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from backend.config import Settings

BENCHES: dict[str, str] = {
    "audit": "backend.audit.bench:main",
}

Bench = Callable[[list[str], Settings], int]


def load(name: str) -> Bench:
    module, _, function = BENCHES[name].partition(":")
    bench: Bench = getattr(importlib.import_module(module), function)
    return bench


def run(name: str, argv: list[str], settings: Settings) -> int:
    if name not in BENCHES:
        print("benchmarks: " + ", ".join(sorted(BENCHES)), file=sys.stderr if name != "list" else sys.stdout)
        return 0 if name == "list" else 2
    return load(name)(argv, settings)
