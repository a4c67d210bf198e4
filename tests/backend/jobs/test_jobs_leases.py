"""Crashed workers' timers are taken over after the lease; racing schedulers never double-fire."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from backend.db.engine import transaction
from backend.jobs import service
from backend.jobs.registry import JobContext


async def test_expired_timer_lease_is_taken_over_by_another_owner(
    sessionmaker, clock, make_scheduler, recorder
):
    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.ok", clock(), {}, "registry-check:2026-11-28")
    # Scheduler A claims the timer and dies before finishing it.
    async with transaction(sessionmaker) as db:
        [claimed] = await service.claim_due(db, "sched-a", clock(), limit=10, lease_seconds=300)
    b = make_scheduler("sched-b")

    clock.advance(seconds=299)
    assert await b.run_once() == []
    clock.advance(seconds=2)
    [outcome] = await b.run_once()
    assert (outcome.status, outcome.attempt) == ("done", 2)
    assert recorder.runs == ["registry-check:2026-11-28"]

    # A wakes up late: its claim is gone, it can neither complete nor fail the timer.
    async with transaction(sessionmaker) as db:
        assert await service.complete(db, claimed, "sched-a", clock()) is False
        assert await service.fail(db, claimed, "sched-a", clock(), "late") is None
        assert (await service.get(db, "registry-check:2026-11-28")).status == "done"


async def test_slow_handler_that_lost_its_lease_is_rolled_back(sessionmaker, clock, make_scheduler):
    """A handler outliving its lease: the taker's run counts, the slow one's writes are undone."""
    takeover: list[object] = []

    async def slow(ctx: JobContext) -> None:
        if ctx.timer.attempts == 1:
            clock.advance(minutes=10)  # meanwhile the lease runs out and B takes the timer
            takeover.extend(await make_scheduler("sched-b", handlers={"test.slow": slow}).run_once())
        await service.schedule(ctx.db, "test.ok", ctx.now, {}, f"written-by-attempt-{ctx.timer.attempts}")

    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.slow", clock(), {}, "slow")
    [outcome] = await make_scheduler("sched-a", handlers={"test.slow": slow}, lease_seconds=60).run_once()

    assert outcome.status == "lost"
    assert [(o.status, o.attempt) for o in takeover] == [("done", 2)]  # type: ignore[attr-defined]
    async with sessionmaker() as db:
        assert await service.get(db, "written-by-attempt-1") is None
        assert await service.get(db, "written-by-attempt-2") is not None


async def test_expired_lease_with_no_attempts_left_becomes_failed(
    sessionmaker, clock, make_scheduler, recorder
):
    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.ok", clock(), {}, "once-only", max_attempts=1)
        await service.claim_due(db, "sched-a", clock(), limit=10, lease_seconds=60)
    clock.advance(minutes=5)
    assert await make_scheduler("sched-b").run_once() == []
    async with sessionmaker() as db:
        timer = await service.get(db, "once-only")
    assert timer.status == "failed"
    assert "lease expired" in (timer.last_error or "")
    assert recorder.runs == []


async def test_racing_schedulers_never_run_a_timer_twice(sessionmaker, clock, make_scheduler):
    runs: Counter[str] = Counter()

    async def handler(ctx: JobContext) -> None:
        runs[ctx.timer.dedupe_key] += 1
        await asyncio.sleep(0)  # let the other schedulers interleave mid-handler

    keys = [f"push:P-{n}" for n in range(60)]
    async with transaction(sessionmaker) as db:
        for n, key in enumerate(keys):
            await service.schedule(db, "test.race", clock() - timedelta(seconds=n), {}, key)
    schedulers = [make_scheduler(f"sched-{n}", handlers={"test.race": handler}, batch=7) for n in range(4)]

    for _ in range(20):
        rounds = await asyncio.gather(*(s.run_once() for s in schedulers))
        if not any(rounds):
            break
    assert runs == Counter(dict.fromkeys(keys, 1))
    async with sessionmaker() as db:
        assert {(await service.get(db, key)).status for key in keys} == {"done"}


async def test_one_scheduler_holds_the_lease_until_it_expires(sessionmaker, clock, make_scheduler):
    a, b = make_scheduler("sched-a"), make_scheduler("sched-b")
    assert await a.hold_lease(30) is True
    assert await b.hold_lease(30) is False
    clock.advance(seconds=20)
    assert await a.hold_lease(30) is True  # renewal pushes expiry to now + 30 s
    clock.advance(seconds=29)
    assert await b.hold_lease(30) is False
    clock.advance(seconds=2)
    assert await b.hold_lease(30) is True  # a stopped renewing: stale lease taken over
    assert await a.hold_lease(30) is False
    await b.release_lease()
    assert await a.hold_lease(30) is True  # released: no need to wait for expiry


async def test_concurrent_lease_contenders_elect_exactly_one(sessionmaker, clock, make_scheduler):
    contenders = [make_scheduler(f"sched-{n}") for n in range(6)]
    first = await asyncio.gather(*(s.hold_lease(30) for s in contenders))
    assert sum(first) == 1
    clock.advance(seconds=31)
    stale = await asyncio.gather(*(s.hold_lease(30) for s in contenders))
    assert sum(stale) == 1


async def test_run_forever_fires_seeds_and_releases_the_lease_on_stop(
    sessionmaker, clock, make_scheduler, recorder
):
    async def seed(db, now):
        await service.schedule(db, "test.ok", now, {}, "seeded")

    scheduler = make_scheduler("sched-a", seeds=[seed])
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run_forever(poll_seconds=0.01, stop=stop))
    for _ in range(300):
        if recorder.runs:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)

    assert recorder.runs == ["seeded"]
    async with sessionmaker() as db:
        assert await service.lease_holder(db, "scheduler", clock()) is None
