"""`tezuo registry check [--progress]` and `tezuo sim registry` (the loopback gateway simulator)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    cmd = sub.add_parser("registry", help="national-registry check (三要素核验)").add_subparsers(
        dest="registry_command", required=True
    )
    check = cmd.add_parser("check", help="run (or resume) the registry check now")
    check.add_argument("--progress", action="store_true", help="progress bar on stderr")
    check.set_defaults(func=run_check_cmd)


def run_check_cmd(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_check(args, settings))


async def _check(args: argparse.Namespace, settings: Settings) -> int:
    from backend.core.clock import utcnow
    from backend.core.errors import DomainError
    from backend.db.engine import make_engine, make_sessionmaker
    from backend.ledger.cli import Bar
    from backend.registry import service

    bar = Bar(quiet=not args.progress)
    engine = make_engine(settings.database_url)
    try:
        run = await service.check_now(
            make_sessionmaker(engine), settings, utcnow,
            progress=lambda done, total: bar("核验 check", done, total),
        )  # fmt: skip
    except DomainError as exc:
        print(f"{exc.code}: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(
        f"run {run.id}: {run.status}; checked {run.checked:,} (resumed {run.resumes}×), "
        f"match {run.matched:,}, discrepancies {run.discrepancies:,}, errors {run.errors:,}, "
        f"requests {run.requests:,}"
    )
    return 0 if run.errors == 0 else 1


async def serve_sim(args: argparse.Namespace, settings: Settings) -> int:
    """Seed the simulated registry from the database's ledger (the demo plant after `tezuo
    demo`), plant one certificate per discrepancy, and serve until Ctrl-C."""
    from backend.catalog.service import catalog_for, local_date
    from backend.core.clock import utcnow
    from backend.db.engine import make_engine, make_sessionmaker
    from backend.registry.ledger_part import all_active
    from backend.registry.plant import mirror, plant
    from backend.registry.service import parse_auth
    from backend.registry.simulator import RegistryServer, RegistrySim
    from backend.workers.numbers_part import ciphers_for

    catalog = catalog_for(settings)
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as db:
            entries = await all_active(db, ciphers_for(settings.secret_key))
    finally:
        await engine.dispose()
    records = mirror(entries, catalog)
    planted = (
        {}
        if args.no_plant or not entries
        else plant(records, entries, catalog, local_date(utcnow(), catalog.policy))
    )
    sim = RegistrySim(
        records=records,
        latency=args.latency_ms / 1000,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        auth=parse_auth(args.auth),
    )
    server = RegistryServer(sim, host=args.host, port=args.port)
    await server.start()
    by_id = {e.certificate_id: e for e in entries}
    print(f"全国系统模拟器 registry simulator on {server.url} ({len(records):,} certificates)")
    print(f"  TEZUO_REGISTRY_URL={server.url}")
    for cert_id, code in planted.items():
        e = by_id[cert_id]
        print(f"  planted {code:14} {e.holder_name} {e.item_key} certificate {cert_id}")
    print(f"  stats: GET http://{server.host}:{server.port}/_sim/stats   (Ctrl-C stops)", flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    last = -1
    while not stop.is_set():
        if sim.requests != last:
            last = sim.requests
            print("  " + json.dumps(sim.stats()), flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 2)
    await server.stop()
    return 0


def add_sim_options(cmd: Any) -> None:
    group = cmd.add_argument_group("registry simulator (`tezuo sim registry`, port 8020)")
    group.add_argument("--latency-ms", type=float, default=20.0)
    group.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered 503")
    group.add_argument(
        "--rate-limit", type=int, default=0, help="requests per second (0: none); excess get 429"
    )
    group.add_argument("--auth", help="require this header, 'Name: value'")
    group.add_argument("--no-plant", action="store_true", help="mirror the ledger without discrepancies")
