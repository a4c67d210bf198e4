"""`tezuo devices add|token`: register an edge node or wearable and print its bearer token once."""

from __future__ import annotations

import argparse
import asyncio
import uuid
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    devices = sub.add_parser("devices", help="edge nodes and wearables").add_subparsers(
        dest="devices_command", required=True
    )
    add = devices.add_parser("add", help="register a device on a site and print its token (shown once)")
    add.add_argument("--kind", choices=("edge", "wearable"), required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--site", required=True, help="site code")
    add.add_argument("--wearer", help="resident ID number of a wearable's wearer")
    add.set_defaults(func=_add)
    token = devices.add_parser("token", help="issue another token for a device (old ones stay valid)")
    token.add_argument("device_id", type=uuid.UUID)
    token.add_argument("--revoke-others", action="store_true")
    token.set_defaults(func=_token)


def _add(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_add_async(args, settings))


async def _add_async(args: argparse.Namespace, settings: Settings) -> int:
    from backend.core.clock import utcnow
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.devices.service import create_device
    from backend.people.service import find_by_id_number, id_cipher, unit_by_code

    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            site = await unit_by_code(db, args.site)
            wearer = None
            if args.wearer:
                person = await find_by_id_number(db, id_cipher(settings.secret_key), args.wearer)
                if person is None:
                    print(f"no person with ID number {args.wearer}")
                    return 1
                wearer = person.id
            device, token = await create_device(
                db, kind=args.kind, name=args.name, site=site, person_id=wearer, now=utcnow()
            )
        print(f"device {device.id} ({args.kind}) on {args.site}\ntoken {token}\n(shown once; stored hashed)")
        return 0
    finally:
        await engine.dispose()


def _token(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_token_async(args, settings))


async def _token_async(args: argparse.Namespace, settings: Settings) -> int:
    from backend.auth.models import Device
    from backend.core.clock import utcnow
    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from backend.devices.service import issue_token, revoke_tokens

    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            device = await db.get(Device, args.device_id)
            if device is None:
                print(f"no device {args.device_id}")
                return 1
            if args.revoke_others:
                await revoke_tokens(db, device.id, utcnow())
            token = await issue_token(db, device, utcnow())
        print(f"token {token}\n(shown once; stored hashed)")
        return 0
    finally:
        await engine.dispose()
