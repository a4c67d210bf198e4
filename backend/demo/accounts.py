"""Demo accounts: a fresh one-time enrollment link for each, printed for the presenter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.service import issue_enrollment
from backend.config import Settings
from backend.core.errors import NotFound
from backend.demo.records import DemoPlan
from backend.people.cli import print_link
from backend.people.routes import enrollment_url
from backend.people.service import find_by_id_number, id_cipher

HEADER = "演示账号 Demo accounts — open a link on this machine or phone to register a passkey:"


@dataclass(frozen=True)
class DemoLink:
    role: str
    label: str
    name: str
    title: str
    url: str


async def issue_demo_links(
    db: AsyncSession, settings: Settings, plan: DemoPlan, now: datetime
) -> list[DemoLink]:
    """New single-use codes for every demo account; earlier unused ones stop working."""
    cipher = id_cipher(settings.secret_key)
    ttl = timedelta(minutes=settings.enrollment_minutes)
    links = []
    for account in plan.accounts:
        person = await find_by_id_number(db, cipher, account.id_number)
        if person is None:  # the plant was loaded with another secret key or an older plan
            raise NotFound(f"演示账号 {account.role} 不在数据库中", code="demo_account_missing")
        code, _ = await issue_enrollment(db, person.id, now, ttl)
        title = plan.person(account.id_number).title
        links.append(
            DemoLink(account.role, account.label, person.name, title, enrollment_url(settings, code))
        )
    return links


def print_demo_links(links: list[DemoLink]) -> None:
    """`role / name: link` per account; a QR only for the admin, to keep the terminal short."""
    print(HEADER)
    for link in links:
        print_link(
            f"  {link.role} {link.label} / {link.name}（{link.title}）", link.url, qr=link.role == "admin"
        )
