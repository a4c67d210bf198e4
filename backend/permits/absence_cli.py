"""`tezuo users away add|list|end`: mark someone away from the shell (HR, an admin), as the API does.

While away, permit steps and alarms for them go to their B角 (`tezuo users deputy`).
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC
from typing import TYPE_CHECKING, Any

from backend.config import Settings
from backend.people.deputy_cli import WHO, find_person, run_in_transaction, when

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.permits.schemas import AbsenceOut


def register(users: Any) -> None:
    """Add `away` to the `tezuo users` subcommands."""
    away = users.add_parser(
        "away", help="mark someone away: their steps and alarms go to their B角"
    ).add_subparsers(dest="away_command", required=True)
    add = away.add_parser("add", help="mark a person away from --from (default now) until --until")
    add.add_argument("person", help=WHO)
    add.add_argument("--until", required=True, type=when, help="ISO time they are back (no zone: UTC+8)")
    add.add_argument("--from", dest="starts_at", type=when, help="ISO time they leave (default: now)")
    add.add_argument("--reason", default="", help="出差, 休假 … (at most 200 characters)")
    add.set_defaults(func=lambda args, settings: run_in_transaction(settings, _add, args))
    show = away.add_parser("list", help="a person's current and future absences")
    show.add_argument("person", help=WHO)
    show.set_defaults(func=lambda args, settings: run_in_transaction(settings, _list, args))
    end = away.add_parser("end", help="back early: end a current absence now, cancel a future one")
    end.add_argument("id", type=uuid.UUID, help="the absence id, from `list`")
    end.set_defaults(func=lambda args, settings: run_in_transaction(settings, _end, args))


async def _add(db: AsyncSession, settings: Settings, args: argparse.Namespace) -> None:
    from backend.core.clock import utcnow
    from backend.permits import absences

    person = await find_person(db, settings, args.person)
    now = utcnow()
    row = await absences.register_absence(db, person, args.starts_at or now, args.until, args.reason, now)
    print("away", _line(absences.to_out(row, person, now)))


async def _list(db: AsyncSession, settings: Settings, args: argparse.Namespace) -> None:
    from backend.core.clock import utcnow
    from backend.permits import absences

    person = await find_person(db, settings, args.person)
    rows = await absences.absences_of(db, person, utcnow())
    print(f"{person.name} ({person.id_number_masked}, {person.id})" + ("" if rows else ": not away"))
    for row in rows:
        print("   ", _line(row))


async def _end(db: AsyncSession, settings: Settings, args: argparse.Namespace) -> None:
    from backend.core.clock import utcnow
    from backend.people.models import Person
    from backend.permits import absences

    now = utcnow()
    row = await absences.end_absence(db, await absences.live_absence(db, args.id), now)
    person = await db.get(Person, row.person_id)
    assert person is not None
    print("ended", _line(absences.to_out(row, person, now)))


def _line(a: AbsenceOut) -> str:
    window = f"{a.starts_at.astimezone(UTC):%Y-%m-%d %H:%M} – {a.ends_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f"{a.id}  {a.person_name}  {window}  {a.state}" + (f"  {a.reason}" if a.reason else "")
