"""`tezuo badge verify | keys | rotate | revoke | print`: the badge keys' operator commands and the
command-line verifier (prints a JSON verdict; exit 0 green, 1 amber, 2 red)."""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from backend.config import Settings
from backend.core.clock import utcnow

EXIT = {"green": 0, "amber": 1, "red": 2}


def register(sub: Any) -> None:
    badge = sub.add_parser("badge", help="signed QR identity codes (电子身份码)").add_subparsers(
        dest="badge_command", required=True
    )
    verify = badge.add_parser("verify", help="verify a code (TZ1:…) and print the verdict as JSON")
    verify.add_argument("text")
    verify.add_argument("--work-type", help="permit work type whose certificates the worker must hold")
    verify.add_argument("--role", default="operator")
    verify.add_argument("--offline", action="store_true", help="do not read the database (keys only)")
    verify.set_defaults(func=_verify)
    keys = badge.add_parser("keys", help="list the signing keys, their windows and revocations")
    keys.set_defaults(func=_keys)
    rotate = badge.add_parser("rotate", help="publish a new signing key; it signs after the overlap")
    rotate.add_argument("--overlap-hours", type=float, default=24.0)
    rotate.set_defaults(func=_rotate)
    revoke = badge.add_parser("revoke", help="revoke a signing key: nothing it signed verifies any more")
    revoke.add_argument("kid")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(func=_revoke)
    pdf = badge.add_parser("print", help="write a printable badge (PDF) for a person")
    pdf.add_argument("person_id", type=uuid.UUID)
    pdf.add_argument("out", type=Path)
    pdf.set_defaults(func=_print)


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    verdict = asyncio.run(verify_text(settings, args.text, args.work_type, args.role, args.offline))
    print(json.dumps(verdict, ensure_ascii=False, indent=1))
    return EXIT[verdict["verdict"]]


async def verify_text(
    settings: Settings, text: str, work_type: str | None, role: str, offline: bool
) -> dict[str, Any]:
    from backend.badges import service
    from backend.badges.verify import Synced, load_trust_list, verify
    from backend.db.engine import make_engine, make_sessionmaker
    from backend.people.models import Person

    now = utcnow()
    keys = service.keys_for(settings)
    trust = load_trust_list(keys.trust_list(now), keys.root_public())
    required = None
    if work_type:
        wt = next((t for t in service.work_types(settings) if t["code"] == work_type), None)
        if wt is None:
            raise SystemExit(f"unknown work type {work_type!r}")
        required = wt["roles"].get(role, [])
    first = verify(text, trust, service.epoch(now))
    synced = Synced(as_of=service.epoch(now))
    if not offline and first.worker is not None:
        engine = make_engine(settings.database_url)
        try:
            async with make_sessionmaker(engine)() as db:
                person = await db.get(Person, uuid.UUID(first.worker["id"]))
                synced = await service.synced_data(db, settings, [person] if person else [], now)
        finally:
            await engine.dispose()
    return verify(text, trust, service.epoch(now), synced, required).as_dict()


def _keys(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from backend.badges.service import keys_for

    keys = keys_for(settings)
    keys.ensure(utcnow())
    print(json.dumps({"issuer": keys.issuer, "keys": [asdict(e) for e in keys.entries()]}, indent=1))
    return 0


def _rotate(args: argparse.Namespace, settings: Settings) -> int:
    from backend.badges.service import keys_for

    new = keys_for(settings).rotate(utcnow(), timedelta(hours=args.overlap_hours))
    print(json.dumps({"new_kid": new.kid, "signs_from": new.nb}))
    return 0


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    from backend.badges.service import keys_for

    try:
        entry = keys_for(settings).revoke(args.kid, utcnow(), args.reason)
    except LookupError as exc:
        print(f"错误 {exc}")
        return 1
    print(json.dumps({"revoked": entry.kid, "at": entry.rv}))
    return 0


def _print(args: argparse.Namespace, settings: Settings) -> int:
    from backend.badges.pdf import write_badge

    asyncio.run(write_badge(settings, args.person_id, args.out))
    print(args.out)
    return 0
