"""`tezuo users deputy add|list|remove`: B角 designations from the shell, same rules as the API."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from backend.config import Settings
from backend.people.roles import DEPUTISABLE

if TYPE_CHECKING:  # the database stack loads only when a subcommand runs (`tezuo --help` stays quick)
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.people.models import Person
    from backend.people.schemas import DeputyOut

WHO = "resident ID number or person id"


def register(users: Any) -> None:
    """Add `deputy` to the `tezuo users` subcommands."""
    deputy = users.add_parser("deputy", help="B角: who stands in for an approver while away").add_subparsers(
        dest="deputy_command", required=True
    )
    add = deputy.add_parser("add", help="name a B角 (same role over the unit, active, not the person)")
    add.add_argument("principal", help=f"the person who may be away: {WHO}")
    add.add_argument("deputy", help=f"who stands in: {WHO}")
    add.add_argument("--role", required=True, choices=DEPUTISABLE)
    add.add_argument("--scope", help="org unit code (default: the unit of the principal's grant of the role)")
    add.add_argument("--from", dest="active_from", type=when, help="ISO time the designation starts")
    add.add_argument("--until", dest="active_until", type=when, help="ISO time the designation ends")
    add.set_defaults(func=lambda args, settings: run_in_transaction(settings, _add, args))
    show = deputy.add_parser("list", help="a person's B角 and the people they stand in for")
    show.add_argument("person", help=WHO)
    show.set_defaults(func=lambda args, settings: run_in_transaction(settings, _list, args))
    remove = deputy.add_parser("remove", help="take a designation back (its id, from `list`)")
    remove.add_argument("id", type=uuid.UUID)
    remove.set_defaults(func=lambda args, settings: run_in_transaction(settings, _remove, args))


def when(text: str) -> datetime:
    """An ISO time; without a zone it is the plant's local time (UTC+8)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else datetime.fromisoformat(text + "+08:00")


Action = Callable[["AsyncSession", Settings, argparse.Namespace], Awaitable[None]]


def run_in_transaction(settings: Settings, action: Action, args: argparse.Namespace) -> int:
    """One transaction for the command; audit entries it writes carry the CLI's evidence."""
    return asyncio.run(_in_transaction(settings, action, args))


async def _in_transaction(settings: Settings, action: Action, args: argparse.Namespace) -> int:
    from backend.audit.schemas import CLI
    from backend.audit.service import use_evidence
    from backend.core.errors import DomainError
    from backend.db.engine import make_engine, make_sessionmaker, transaction

    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            use_evidence(db, CLI)
            await action(db, settings, args)
    except DomainError as exc:
        print(f"错误 error [{exc.code}]: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    return 0


async def find_person(db: AsyncSession, settings: Settings, who: str) -> Person:
    """By person id, or by resident ID number (its blind index)."""
    from backend.core.errors import DomainError, Invalid, NotFound
    from backend.people import service
    from backend.people.models import Person

    person: Person | None
    try:
        person = await db.get(Person, uuid.UUID(who))
    except ValueError:
        try:
            person = await service.find_by_id_number(db, service.id_cipher(settings.secret_key), who)
        except DomainError:
            raise Invalid(f"{who} 既不是人员编号也不是有效的身份证号", code="person_unknown") from None
    if person is None or person.deleted_at is not None:
        raise NotFound(f"人员 {who} 不存在", code="person_unknown")
    return person


async def _add(db: AsyncSession, settings: Settings, args: argparse.Namespace) -> None:
    from backend.audit.schemas import CLI
    from backend.core.clock import utcnow
    from backend.people import deputies, service

    principal = await find_person(db, settings, args.principal)
    deputy = await find_person(db, settings, args.deputy)
    scope = await service.unit_by_code(db, args.scope) if args.scope else None
    now = utcnow()
    row = await deputies.designate(
        db,
        principal,
        deputy,
        args.role,
        scope,
        now,
        active_from=args.active_from,
        active_until=args.active_until,
        evidence=CLI,
    )
    print("added", _line((await deputies.to_out(db, [row], now))[0]))


async def _list(db: AsyncSession, settings: Settings, args: argparse.Namespace) -> None:
    from backend.core.clock import utcnow
    from backend.people import deputies

    person = await find_person(db, settings, args.person)
    board = await deputies.board(db, person, utcnow())
    print(f"{person.name} ({person.id_number_masked}, {person.id})")
    print("  B角 (stand in for them):" if board.deputies else "  B角: none")
    for row in board.deputies:
        print("   ", _line(row))
    if board.deputising_for:
        print("  stands in for:")
        for row in board.deputising_for:
            print("   ", _line(row))


async def _remove(db: AsyncSession, settings: Settings, args: argparse.Namespace) -> None:
    from backend.audit.schemas import CLI
    from backend.core.clock import utcnow
    from backend.people import deputies

    row = await deputies.live_designation(db, args.id)
    out = (await deputies.to_out(db, [row], utcnow()))[0]
    await deputies.remove(db, row, utcnow(), evidence=CLI)
    print("removed", _line(out))


def _line(d: DeputyOut) -> str:
    window = ""
    if d.active_from or d.active_until:
        start = f"{d.active_from.astimezone(UTC):%Y-%m-%d %H:%M}" if d.active_from else "…"
        end = f"{d.active_until.astimezone(UTC):%Y-%m-%d %H:%M}" if d.active_until else "…"
        window = f" {start} – {end} UTC" + ("" if d.in_force else " (not in force)")
    return f"{d.id}  {d.principal.name} → {d.deputy.name}  {d.role} @ {d.scope.scope_code}{window}"
