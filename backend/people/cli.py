"""`tezuo users add/enroll`: create people and hand out one-time enrollment links."""

from __future__ import annotations

import io
import sys
import uuid
from datetime import timedelta

import qrcode

from backend.audit.schemas import CLI
from backend.auth.service import issue_enrollment
from backend.config import Settings
from backend.core.clock import utcnow
from backend.core.errors import DomainError, NotFound
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.people import service
from backend.people.models import Person
from backend.people.routes import enrollment_url


def print_link(name: str, url: str, qr: bool = True) -> None:
    """The link, and a QR of it that a phone camera can open straight from the terminal."""
    print(f"{name}: {url}")
    if qr:
        code = qrcode.QRCode(border=1)
        code.add_data(url)
        buf = io.StringIO()
        code.print_ascii(out=buf, invert=True)
        print(buf.getvalue())


async def add_user(settings: Settings, name: str, id_number: str, unit_code: str, roles: list[str]) -> int:
    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            now = utcnow()
            unit = await service.unit_by_code(db, unit_code)
            person = await service.create_person(
                db,
                service.id_cipher(settings.secret_key),
                name=name,
                id_number=id_number,
                unit=unit,
                evidence=CLI,
                now=now,
            )
            for spec in roles or ["worker"]:
                role, _, scope_code = spec.partition("@")
                scope = await service.unit_by_code(db, scope_code) if scope_code else unit
                await service.grant_role(db, person, role, scope, evidence=CLI, now=now)
            code, enrollment = await issue_enrollment(
                db, person.id, now, timedelta(minutes=settings.enrollment_minutes), evidence=CLI
            )
    except DomainError as exc:
        print(f"错误 error [{exc.code}]: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(
        f"created {person.name} ({person.id_number_masked}), "
        f"enrollment valid until {enrollment.expires_at:%Y-%m-%d %H:%M} UTC"
    )
    print_link(person.name, enrollment_url(settings, code))
    return 0


async def enroll_user(settings: Settings, who: str, ttl: timedelta) -> int:
    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            person: Person | None
            try:
                person = await db.get(Person, uuid.UUID(who))
            except ValueError:
                person = await service.find_by_id_number(db, service.id_cipher(settings.secret_key), who)
            if person is None:
                raise NotFound("人员不存在", code="person_unknown")
            code, enrollment = await issue_enrollment(db, person.id, utcnow(), ttl, evidence=CLI)
    except DomainError as exc:
        print(f"错误 error [{exc.code}]: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(f"enrollment for {person.name} valid until {enrollment.expires_at:%Y-%m-%d %H:%M} UTC (single use)")
    print_link(person.name, enrollment_url(settings, code))
    return 0
