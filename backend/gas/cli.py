"""`tezuo gas …`: register an edge node (prints its device token once) and bind detectors to areas."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    gas = sub.add_parser("gas", help="gas detectors and edge-node tokens").add_subparsers(
        dest="gas_command", required=True
    )
    node = gas.add_parser(
        "edge-node", help="register an edge node of a site and print its device token (once)"
    )
    node.add_argument("--site", required=True, help="site code, e.g. NJ1")
    node.add_argument("--name", required=True)
    node.set_defaults(func=lambda args, settings: asyncio.run(_edge_node(settings, args)))
    bind = gas.add_parser(
        "detector", help="bind a detector to an area (readings then count for its gas lock)"
    )
    bind.add_argument("--area", required=True, help="area code")
    bind.add_argument("--code", required=True, help="detector code the edge node reports")
    bind.add_argument(
        "--gas", required=True, help="calibration gas, e.g. methane (backend/gas/data/gases.json)"
    )
    bind.add_argument("--name", default="")
    bind.add_argument("--kind", choices=("fixed", "portable"), default="fixed")
    bind.add_argument("--edge-node", default=None, help="name of the edge node that reports it")
    bind.set_defaults(func=lambda args, settings: asyncio.run(_detector(settings, args)))


async def _edge_node(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
    from backend.auth.models import Device
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.gas.service import issue_device_token
    from backend.org.models import OrgUnit

    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            site = await db.scalar(select(OrgUnit).where(OrgUnit.code == args.site, OrgUnit.kind == "site"))
            if site is None:
                print(f"错误: 厂区 {args.site} 不存在", file=sys.stderr)
                return 2
            device = Device(kind="edge", name=args.name, site_id=site.id)
            db.add(device)
            await db.flush()
            token = await issue_device_token(db, device)
    finally:
        await engine.dispose()
    print(f"edge node {args.name} ({device.id}); device token (shown once): {token}")
    return 0


async def _detector(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    import backend.db.models  # noqa: F401  (every table, so foreign keys resolve)
    from backend.auth.models import Device
    from backend.core.errors import DomainError
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.gas.service import register_detector
    from backend.org.models import Area

    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            area = await db.scalar(select(Area).where(Area.code == args.area))
            if area is None:
                print(f"错误: 区域 {args.area} 不存在", file=sys.stderr)
                return 2
            device = None
            if args.edge_node:
                device = await db.scalar(
                    select(Device).where(Device.name == args.edge_node, Device.kind == "edge")
                )
                if device is None:
                    print(f"错误: 边缘节点 {args.edge_node} 不存在", file=sys.stderr)
                    return 2
            try:
                row = await register_detector(
                    db, area, args.code, args.name or args.code, args.gas, args.kind, device, area.scope_path
                )
            except DomainError as exc:
                print(f"错误 [{exc.code}]: {exc.detail}", file=sys.stderr)
                return 2
    finally:
        await engine.dispose()
    print(f"detector {row.code} ({row.gas}) bound to {area.code} {area.name}")
    return 0
