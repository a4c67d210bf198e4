"""The `tezuo` command: serve, migrate, demo, users, and the subcommands later issues add."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

from backend import bench
from backend.analytics import cli as analytics_cli
from backend.badges import cli as badges_cli
from backend.config import Settings, load_settings
from backend.devices import cli as devices_cli
from backend.gas import cli as gas_cli
from backend.integrations import cli as integrations_cli
from backend.jobs import cli as jobs_cli
from backend.ledger import cli as ledger_cli
from backend.media import cli as media_cli
from backend.people import deputy_cli
from backend.permits import absence_cli
from backend.permits import cli as permits_cli
from backend.registry import cli as registry_cli
from edge import cli as edge_cli

Command = Callable[[argparse.Namespace, Settings], int]


def app_from_env() -> Any:
    """uvicorn factory: each worker process builds its own app from the environment."""
    from backend.app import create_app
    from backend.core.heap import freeze_startup_heap

    app = create_app(load_settings())
    freeze_startup_heap()
    return app


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if not settings.pwa_dir.is_dir():
        print(
            f"注意: PWA 未构建 ({settings.pwa_dir}); run `make pwa` — serving the API only.", file=sys.stderr
        )
    uvicorn.run(
        "backend.cli:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level=args.log_level,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from backend.db import migrate

    if args.check:
        migrate.check(settings.database_url)
    else:
        migrate.upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision if not args.check else 'head'}: {_redact(settings.database_url)}")
    return 0


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _run(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from backend.demo.plant import load_demo

    return _run(load_demo(settings, print_links=not args.quiet))


def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    from backend.people.cli import add_user

    return _run(add_user(settings, args.name, args.id_number, args.unit, args.role))


def _users_enroll(args: argparse.Namespace, settings: Settings) -> int:
    from backend.people.cli import enroll_user

    return _run(enroll_user(settings, args.who, timedelta(minutes=args.minutes)))


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from backend.audit import cli

    return _run(cli.verify(settings, args.heads))


def _audit_export(args: argparse.Namespace, settings: Settings) -> int:
    from backend.audit import cli

    return _run(cli.export(settings, args.out))


def _audit_sth(args: argparse.Namespace, settings: Settings) -> int:
    from backend.audit import cli

    return _run(cli.issue(settings, args.force))


def _audit_key(args: argparse.Namespace, settings: Settings) -> int:
    from backend.audit import cli

    return cli.key(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tezuo", description="Tezuo (特作) special-operations safety system"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API and the PWA")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (PostgreSQL for more than one)"
    )
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--ssl-certfile", help="serve HTTPS with this certificate (phones on the LAN)")
    serve.add_argument("--ssl-keyfile", help="the certificate's private key")
    serve.set_defaults(func=_serve)

    mig = sub.add_parser("migrate", help="apply database migrations (alembic upgrade)")
    mig.add_argument("--revision", default="head")
    mig.add_argument("--check", action="store_true", help="fail if models and migrations disagree")
    mig.set_defaults(func=_migrate)

    demo = sub.add_parser("demo", help="load the demo plant (idempotent) and print sign-in links")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=_demo)

    users = sub.add_parser("users", help="people who sign in").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="create a person and print a one-time enrollment link + QR")
    add.add_argument("--name", required=True)
    add.add_argument("--id-number", required=True, help="resident ID number (GB 11643)")
    add.add_argument("--unit", required=True, help="org unit code the person belongs to")
    add.add_argument("--role", action="append", default=[], help="ROLE or ROLE@UNIT_CODE (repeatable)")
    add.set_defaults(func=_users_add)
    enroll = users.add_parser("enroll", help="issue a new one-time enrollment link + QR")
    enroll.add_argument("who", help="resident ID number or person id")
    enroll.add_argument("--minutes", type=int, default=60 * 24)
    enroll.set_defaults(func=_users_enroll)
    deputy_cli.register(users)
    absence_cli.register(users)

    audit = sub.add_parser("audit", help="the tamper-evident audit log").add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser(
        "verify", help="recompute every leaf and signed tree head; exit 1 naming the first tampered entry"
    )
    verify.add_argument(
        "--heads",
        type=Path,
        action="append",
        default=[],
        help="JSON of tree heads saved earlier (repeatable)",
    )
    verify.set_defaults(func=_audit_verify)
    export = audit.add_parser(
        "export", help="write a bundle (entries, tree heads, public key) for a third party"
    )
    export.add_argument("out", type=Path, help="bundle file: .jsonl, or .jsonl.gz to compress")
    export.set_defaults(func=_audit_export)
    sth = audit.add_parser("sth", help="sign a tree head now (the scheduler calls this periodically)")
    sth.add_argument("--force", action="store_true", help="sign even if the latest head covers the log")
    sth.set_defaults(func=_audit_sth)
    key = audit.add_parser("key", help="print the log's public key and key id")
    key.set_defaults(func=_audit_key)

    analytics_cli.register(sub)
    jobs_cli.register(sub)
    ledger_cli.register(sub)
    integrations_cli.register(sub)
    permits_cli.register(sub)
    gas_cli.register(sub)
    devices_cli.register(sub)
    registry_cli.register(sub)
    badges_cli.register(sub)
    edge_cli.register(sub)
    media_cli.register(sub)
    bench.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args, load_settings())
    except KeyboardInterrupt:
        return 130
