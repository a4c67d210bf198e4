"""Timers fire once at their due time, dedupe, cancel, and retry with backoff until they give up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from backend.db.engine import transaction
from backend.jobs import service
from backend.jobs.models import Timer
from backend.jobs.registry import JobContext


async def _timer(sessionmaker, key):
    async with sessionmaker() as db:
        return await service.get(db, key)


async def test_fires_once_at_due_time_and_not_before(sessionmaker, clock, make_scheduler, recorder):
    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.ok", clock() + timedelta(minutes=30), {"permit": "P-1"}, "push:P-1")
    scheduler = make_scheduler()

    assert await scheduler.run_once() == []
    clock.advance(minutes=29, seconds=59)
    assert await scheduler.run_once() == []
    clock.advance(seconds=1)
    [outcome] = await scheduler.run_once()
    assert (outcome.status, outcome.attempt) == ("done", 1)
    clock.advance(days=2)
    assert await scheduler.run_once() == []

    assert recorder.runs == ["push:P-1"]
    timer = await _timer(sessionmaker, "push:P-1")
    assert (timer.status, timer.finished_at, timer.lease_owner) == (
        "done",
        clock.now - timedelta(days=2),
        None,
    )


async def test_scheduling_the_same_key_twice_is_a_no_op(sessionmaker, clock, make_scheduler, recorder):
    due = clock() + timedelta(hours=2)
    async with transaction(sessionmaker) as db:
        first = await service.schedule(db, "test.ok", due, {"n": 1}, "escalate:P-7:v1")
        again = await service.schedule(db, "test.ok", due + timedelta(hours=5), {"n": 2}, "escalate:P-7:v1")
    assert again.id == first.id
    assert (again.due_at, again.payload) == (due, {"n": 1})

    clock.advance(hours=2)
    assert [o.status for o in await make_scheduler().run_once()] == ["done"]
    # Even after it fired, the key stays taken: a completed timer never fires again.
    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.ok", clock(), {}, "escalate:P-7:v1")
    assert await make_scheduler().run_once() == []
    async with sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(Timer)) == 1
    assert recorder.runs == ["escalate:P-7:v1"]


async def test_cancelled_timer_never_fires(sessionmaker, clock, make_scheduler, recorder):
    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.ok", clock() + timedelta(minutes=5), {}, "remind:C-1:T-30")
    async with transaction(sessionmaker) as db:
        assert await service.cancel(db, "remind:C-1:T-30") is True
        assert await service.cancel(db, "remind:C-1:T-30") is False
        assert await service.cancel(db, "no-such-timer") is False
    clock.advance(hours=1)
    assert await make_scheduler().run_once() == []
    assert recorder.runs == []
    assert (await _timer(sessionmaker, "remind:C-1:T-30")).status == "cancelled"


async def test_failing_handler_retries_with_backoff_then_fails(sessionmaker, clock, make_scheduler, recorder):
    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.boom", clock(), {}, "gas:A-3", max_attempts=3)
    scheduler = make_scheduler()

    [first] = await scheduler.run_once()
    assert (first.status, first.attempt) == ("retry", 1)
    assert "gas detector offline" in (first.error or "")
    timer = await _timer(sessionmaker, "gas:A-3")
    assert (timer.status, timer.due_at, timer.attempts) == ("pending", clock() + timedelta(seconds=30), 1)

    clock.advance(seconds=29)
    assert await scheduler.run_once() == []
    clock.advance(seconds=1)
    assert [(o.status, o.attempt) for o in await scheduler.run_once()] == [("retry", 2)]
    assert (await _timer(sessionmaker, "gas:A-3")).due_at == clock() + timedelta(seconds=60)

    clock.advance(seconds=60)
    assert [(o.status, o.attempt) for o in await scheduler.run_once()] == [("failed", 3)]
    clock.advance(days=1)
    assert await scheduler.run_once() == []

    timer = await _timer(sessionmaker, "gas:A-3")
    assert (timer.status, timer.attempts, timer.finished_at) == ("failed", 3, clock() - timedelta(days=1))
    assert timer.last_error == "RuntimeError: gas detector offline"
    assert recorder.runs == ["gas:A-3"] * 3


async def test_failed_handler_writes_are_rolled_back(sessionmaker, clock, make_scheduler):
    async def follow_up_then_crash(ctx: JobContext) -> None:
        await service.schedule(ctx.db, "test.ok", ctx.now, {}, "follow-up")
        raise ValueError("half done")

    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.half", clock(), {}, "half")
    [outcome] = await make_scheduler(handlers={"test.half": follow_up_then_crash}).run_once()
    assert outcome.status == "retry"
    assert await _timer(sessionmaker, "follow-up") is None


async def test_unknown_kind_is_retried_then_failed_not_lost(sessionmaker, clock, make_scheduler):
    async with transaction(sessionmaker) as db:
        await service.schedule(db, "test.nobody", clock(), {}, "orphan", max_attempts=1)
    [outcome] = await make_scheduler().run_once()
    assert outcome.status == "failed"
    assert "test.nobody" in ((await _timer(sessionmaker, "orphan")).last_error or "")


def test_backoff_doubles_and_is_capped():
    assert [service.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert service.backoff(30) == timedelta(hours=1)
