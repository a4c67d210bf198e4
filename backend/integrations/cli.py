"""`tezuo sim`: serve the HR and gate simulators on loopback and print what they receive."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Any

from backend.config import Settings
from backend.registry.cli import add_sim_options


def register(sub: Any) -> None:
    cmd = sub.add_parser(
        "sim",
        help="loopback simulators: HR and gate access (all|hr|gate, port 8010), Web Push (push, port 8790), "
        "national registry (registry, port 8020), the edge site over Modbus TCP (site, port 5020: "
        "the same as `tezuo edge sim`)",
    )
    cmd.add_argument(
        "which", nargs="?", choices=("all", "hr", "gate", "push", "registry", "site"), default="all"
    )
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, help="default 8010, 8790 for push, 8020 for registry, 5020 for site")
    cmd.add_argument("--record", type=Path, help="append every request received to this JSON-lines file")
    add_sim_options(cmd)
    site = cmd.add_argument_group("edge site simulator (`tezuo sim site`, port 5020)")
    site.add_argument("--leak-after", type=float, default=None, help="start a methane leak after N seconds")
    site.add_argument("--seconds", type=float, default=None, help="stop after N seconds (default: never)")
    from edge.cli import add_band_options

    add_band_options(site)
    cmd.set_defaults(func=run_sim)


def run_sim(args: argparse.Namespace, settings: Settings) -> int:
    if args.which == "push":
        from backend.push.cli import run as run_push

        args.port = args.port or 8790
        return run_push(args, settings)
    if args.which == "site":
        from edge.cli import _sim

        args.port = args.port or 5020
        return _sim(args, settings)
    if args.which == "registry":
        from backend.registry.cli import serve_sim

        args.port = args.port or 8020
        return asyncio.run(serve_sim(args, settings))
    args.port = args.port or 8010
    return asyncio.run(_serve(args, settings))


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from backend.integrations.simulator import SimServer, SimState

    state = SimState(secret=settings.integration_secret, record_file=args.record)
    targets = ("hr", "gate") if args.which == "all" else (args.which,)
    server = SimServer(state, host=args.host, port=args.port, targets=targets)
    await server.start()
    print(f"模拟器 simulators on {server.url} — set in the API's and scheduler's environment:")
    if args.which in ("all", "hr"):
        print(f"  TEZUO_HR_WEBHOOK_URL={server.hr_url}")
    if args.which in ("all", "gate"):
        print(f"  TEZUO_GATE_URL={server.gate_url}")
    print(f"  received: GET {server.url}/_sim/received   (Ctrl-C stops)")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    printed = 0
    while True:
        for entry in state.received[printed:]:
            mark = " (duplicate)" if entry.duplicate else ""
            event = entry.body.get("event") or entry.path.rsplit("/", 1)[-1]
            who = (entry.body.get("person") or entry.body.get("data", {}).get("person") or {}).get("name", "")
            print(f"  {entry.at[11:19]} {entry.target:4} {event} {who}{mark}", flush=True)
        printed = len(state.received)
        if stop.is_set():
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    await server.stop()
    return 0
