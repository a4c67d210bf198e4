"""The built-in daily purge really deletes expired sign-in material and re-arms itself."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from backend.auth.models import Challenge, Enrollment, WebSession
from backend.db.engine import transaction
from backend.jobs import builtin, service
from backend.jobs.models import Timer
from backend.jobs.registry import HANDLERS
from tests.factories import make_org, make_person


async def _seed_auth_rows(db, settings, now):
    org = await make_org(db)
    person = await make_person(db, settings.secret_key, org.team_a, "张三")

    def enrollment(name, expires_at):
        return Enrollment(person_id=person.id, code_hash=name.ljust(64, "0"), expires_at=expires_at)

    old_code = enrollment("old", now - timedelta(hours=1))
    live_code = enrollment("live", now + timedelta(hours=1))
    db.add_all([old_code, live_code])
    await db.flush()

    def challenge(label, expires_at, enrollment_id=None):
        return Challenge(
            purpose=label, challenge=os.urandom(32), expires_at=expires_at, enrollment_id=enrollment_id
        )

    def web_session(name, expires_at, revoked_at=None):
        return WebSession(
            person_id=person.id, token_hash=name.ljust(64, "0"), expires_at=expires_at, revoked_at=revoked_at
        )

    db.add_all(
        [
            challenge("expired", now - timedelta(minutes=1)),
            challenge("live", now + timedelta(minutes=5)),
            challenge("of-old", now + timedelta(minutes=5), old_code.id),  # its enrollment is gone
            web_session("ancient", now - timedelta(days=31)),
            web_session("revoked-long-ago", now + timedelta(days=1), revoked_at=now - timedelta(days=40)),
            web_session("recently-expired", now - timedelta(days=29)),
            web_session("live", now + timedelta(hours=8)),
        ]
    )


async def test_purge_deletes_expired_rows_and_schedules_tomorrow(
    sessionmaker, clock, settings, make_scheduler
):
    clock.now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    async with transaction(sessionmaker) as db:
        await _seed_auth_rows(db, settings, clock())
    scheduler = make_scheduler(handlers=HANDLERS, seeds=[builtin.seed])

    assert await scheduler.tick(ttl_seconds=30) is True  # takes the lease, seeds today's purge, fires it
    async with sessionmaker() as db:
        assert set(await db.scalars(select(Challenge.purpose))) == {"live"}
        assert [e.code_hash[:4] for e in await db.scalars(select(Enrollment))] == ["live"]
        assert {s.token_hash.rstrip("0") for s in await db.scalars(select(WebSession))} == {
            "recently-expired",
            "live",
        }
        today = await service.get(db, "jobs.purge_expired_auth:2026-11-28")
        tomorrow = await service.get(db, "jobs.purge_expired_auth:2026-11-29")
    assert today.status == "done"
    assert (tomorrow.status, tomorrow.due_at) == ("pending", datetime(2026, 11, 29, 19, 0, tzinfo=UTC))

    # A restart later the same day re-seeds nothing: today's key is taken.
    await scheduler.release_lease()
    clock.advance(hours=2)
    restarted = make_scheduler("sched-restarted", handlers=HANDLERS, seeds=[builtin.seed])
    assert await restarted.tick(ttl_seconds=30) is True
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(Timer)) == 2
    clock.advance(days=1, hours=9)  # 2026-11-29 19:00 UTC
    [outcome] = await restarted.run_once()
    assert (outcome.dedupe_key, outcome.status) == ("jobs.purge_expired_auth:2026-11-29", "done")
    async with sessionmaker() as db:
        assert await service.get(db, "jobs.purge_expired_auth:2026-11-30") is not None
