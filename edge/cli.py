"""`tezuo edge …`: run the node, run the site simulator, train and export a detector."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    edge = sub.add_parser(
        "edge", help="the edge node: gas detectors, cameras, rules, interlocks"
    ).add_subparsers(dest="edge_command", required=True)
    run = edge.add_parser("run", help="run the node with its edge.toml")
    run.add_argument("--config", required=True, help="path to edge.toml (see edge/edge.example.toml)")
    run.add_argument("--log-level", default="INFO")
    run.set_defaults(func=_run)
    sim = edge.add_parser("sim", help="serve a simulated site (gas detectors, PLC) over Modbus TCP")
    sim.add_argument("--host", default="127.0.0.1", help="0.0.0.0 inside a container")
    sim.add_argument("--port", type=int, default=5020)
    sim.add_argument("--leak-after", type=float, default=None, help="start a methane leak after N seconds")
    sim.add_argument("--seconds", type=float, default=None, help="stop after N seconds (default: never)")
    sim.set_defaults(func=_sim)
    check = edge.add_parser("check", help="validate an edge.toml and print what it configures")
    check.add_argument("--config", required=True)
    check.set_defaults(func=_check)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from edge.config import load
    from edge.node import Node

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    node = Node(load(args.config))

    async def main() -> None:
        try:
            await node.run()
        finally:
            await node.close()

    asyncio.run(main())
    return 0


def _sim(args: argparse.Namespace, settings: Settings) -> int:
    from edge.sim.run import serve

    logging.basicConfig(level="WARNING")
    asyncio.run(serve(args.host, args.port, args.leak_after, args.seconds))
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from edge.config import load

    c = load(args.config)
    print(
        f"node {c.node}: {len(c.buses)} bus(es), {len(c.gas)} gas detector(s), "
        f"PLC {'yes' if c.plc else 'no'}{' (dry-run)' if c.plc and c.plc.dry_run else ''}, "
        f"{len(c.cameras)} camera(s), {len(c.zones)} zone(s), {len(c.rules) or 'default'} rule(s)"
    )
    return 0
