"""Employment changes with their consequences: leaving freezes everything at once."""

from __future__ import annotations

from backend.people import service as people
from backend.people.models import Person
from backend.workers import warnings_part
from backend.workers.certificates_part import Ctx, certificates_of
from backend.workers.freeze_part import freeze, lift, open_freezes


async def change_employment(ctx: Ctx, person: Person, status: str) -> bool:
    """active | suspended | left; True if it changed.

    Leaving or suspension opens a person-level freeze (gate access revoked through the adapter,
    every item refused); leaving also cancels the pending warnings, since nobody needs to renew.
    Coming back lifts those freezes (gate restored when nothing else is frozen) and re-arms.
    """
    if not await people.set_employment(ctx.db, person, status, ctx.now):
        return False
    certs = await certificates_of(ctx.db, person.id)
    if status in ("left", "suspended"):
        await freeze(ctx.db, person, status, ctx.now)
        if status == "left":
            await warnings_part.disarm(ctx.db, certs, ctx.now)
        return True
    back = [f for f in await open_freezes(ctx.db, person.id) if f.reason in ("left", "suspended")]
    await lift(ctx.db, person, back, "恢复在职", ctx.now)
    await warnings_part.arm(ctx.db, certs, ctx.catalog, ctx.now)
    return True
