"""What the permits seam hears from the qualifications service after T-0 and after leaving."""

from __future__ import annotations

from backend.catalog.service import catalog_for
from backend.db.engine import transaction
from backend.workers import service
from backend.workers.permits_part import CertificateQualifications
from tests.backend.workers.conftest import add_cert, drain
from tests.factories import make_person


async def test_t0_freeze_and_leaving_reach_the_permit_check(
    sessionmaker, settings, clock, org, make_scheduler
):
    async with transaction(sessionmaker) as db:
        welder = await make_person(db, settings.secret_key, org.team_a, "赵铁柱")
    await add_cert(sessionmaker, settings, clock, welder, valid_for_days=-1)
    await drain(make_scheduler())  # T-0 was due: frozen
    check = CertificateQualifications(lambda: catalog_for(settings))
    async with sessionmaker() as db:
        [refusal] = await check.check(db, welder.id, ["mem:02-01"], clock())
        assert (refusal.code, refusal.item) == ("frozen", "mem:02-01")
        assert "证书过期" in refusal.reason and "到期失效" in refusal.reason
        assert await check.check(db, welder.id, [], clock()) == []  # guardian duty needs no item
        assert [r.code for r in await check.check(db, welder.id, ["mem:01-02"], clock())] == [
            "no_certificate"
        ]
    async with transaction(sessionmaker) as db:
        ctx = service.context(db, settings, clock())
        await service.change_employment(ctx, await db.get(type(welder), welder.id), "left")
    async with sessionmaker() as db:
        assert [r.code for r in await check.check(db, welder.id, [], clock())] == ["employment_left"]
        assert [r.code for r in await check.check(db, welder.id, ["mem:02-01"], clock())] == [
            "employment_left"
        ]
