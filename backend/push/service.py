"""Push rules: subscriptions per device, `enqueue` into the outbox, claim and settle deliveries."""

from __future__ import annotations

import base64
import hashlib
import importlib
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import msgspec
from sqlalchemy import Table, and_, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from backend.bus.after_commit import xadd_after_commit
from backend.core.errors import Invalid
from backend.core.ids import uuid7
from backend.jobs.service import backoff
from backend.push.models import EXPIRED, FAILED, GONE, PENDING, SENDING, SENT, PushMessage, PushSubscription
from backend.push.webpush import PushResult

STREAM = "push"  # bus stream whose entries name outbox rows ready to send
STREAM_MAXLEN = 10_000  # entries are hints (the outbox is the record): older ones may be trimmed
URGENCIES = ("very-low", "low", "normal", "high")
# RFC 8291 §4: one 4096-byte record = 86 header bytes + plaintext + 1 delimiter + 16 tag.
MAX_PAYLOAD = 3800
MAX_ATTEMPTS = 20
RETRY_BASE_SECONDS = 1.0
RETRY_CAP_SECONDS = 60.0
MAX_RETRY_AFTER = 300.0
RETENTION = timedelta(days=30)  # settled messages are kept this long for the record, then purged

OnSent = Callable[[AsyncSession, list[str], datetime], Awaitable[None]]  # (db, ref ids, now)
# Who hears about a delivery the push service accepted, by message kind ("module:function").
SENT_HOOKS: dict[str, str] = {"alarm": "backend.alarms.service:on_push_sent"}
_hooks: dict[str, OnSent] = {}

_FRESH = {"populate_existing": True, "synchronize_session": False}


def _insert(db: AsyncSession) -> Any:
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def _enqueue_statement(insert: Any) -> Any:
    table = PushMessage.__table__
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.dedupe_key, table.c.device_id])
        .returning(table.c.id)
    )


_ENQUEUE = {"postgresql": _enqueue_statement(postgresql.insert), "sqlite": _enqueue_statement(sqlite.insert)}


def topic_of(dedupe_key: str) -> str:
    """RFC 8030 §5.4 Topic: ≤ 32 base64url characters, the same for every resend of a message."""
    return base64.urlsafe_b64encode(hashlib.sha256(dedupe_key.encode()).digest()[:24]).decode()


async def enqueue(
    db: AsyncSession,
    *,
    person_ids: Iterable[uuid.UUID],
    payload: dict[str, Any],
    urgency: str,
    ttl: int,
    dedupe_key: str,
    now: datetime,
    kind: str = "notice",
    ref_id: str | None = None,
) -> int:
    """Queue `payload` for every subscribed device of `person_ids`, in the caller's transaction.

    Delivered by the same workers as alarms once the transaction commits. A device gets a given
    `dedupe_key` once, ever: calling again (a retry, an escalation that reaches the same person)
    adds nothing for devices that already have it. Returns how many messages were added.
    """
    devices = await subscribed(db, person_ids)
    return await enqueue_devices(
        db,
        devices=devices,
        payload=payload,
        urgency=urgency,
        ttl=ttl,
        dedupe_key=dedupe_key,
        now=now,
        kind=kind,
        ref_id=ref_id,
    )


async def subscribed(db: AsyncSession, person_ids: Iterable[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(device, person) of every device with a push subscription of these people."""
    people = list(set(person_ids))
    if not people:
        return []
    rows = await db.execute(
        select(PushSubscription.device_id, PushSubscription.person_id).where(
            PushSubscription.person_id.in_(people)
        )
    )
    return [(device_id, person_id) for device_id, person_id in rows.all()]


async def enqueue_devices(
    db: AsyncSession,
    *,
    devices: Sequence[tuple[uuid.UUID, uuid.UUID]],
    payload: dict[str, Any],
    urgency: str,
    ttl: int,
    dedupe_key: str,
    now: datetime,
    kind: str,
    ref_id: str | None,
) -> int:
    """`enqueue` for devices already looked up (the alarm router counts them as it goes)."""
    if urgency not in URGENCIES:
        raise Invalid(f"urgency 必须是 {', '.join(URGENCIES)} 之一", code="push_urgency")
    if not 0 <= ttl <= 28 * 24 * 3600:
        raise Invalid("ttl 超出范围", code="push_ttl")
    if len(msgspec.json.encode(payload)) > MAX_PAYLOAD:
        raise Invalid(f"推送内容超过 {MAX_PAYLOAD} 字节", code="push_payload_too_large")
    if not devices:
        return 0
    topic = topic_of(dedupe_key)
    rows = [
        {
            "id": uuid7(),
            "dedupe_key": dedupe_key,
            "kind": kind,
            "ref_id": ref_id,
            "device_id": device_id,
            "person_id": person_id,
            "payload": payload,
            "urgency": urgency,
            "ttl": ttl,
            "topic": topic,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "expires_at": now + timedelta(seconds=ttl),
            "created_at": now,
            "updated_at": now,
        }
        for device_id, person_id in devices
    ]
    # executemany with RETURNING on the table (Core: no ORM bulk bookkeeping), built once per dialect.
    ids = list((await db.execute(_ENQUEUE[db.get_bind().dialect.name], rows)).scalars())
    if ids:
        xadd_after_commit(db, STREAM, {"ids": ",".join(str(i) for i in ids)}, maxlen=STREAM_MAXLEN)
    return len(ids)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Due and pending, or being sent by a worker whose lease ran out (it died mid-send)."""
    return or_(
        and_(PushMessage.status == PENDING, PushMessage.next_attempt_at <= now),
        and_(PushMessage.status == SENDING, PushMessage.lease_until < now),
    )


async def due(
    db: AsyncSession, now: datetime, limit: int, exclude: Collection[uuid.UUID] = ()
) -> list[uuid.UUID]:
    """Ids of messages due to be sent (on PostgreSQL locked, skipping rows another worker holds).

    SQLite: a plain read first, so an idle sweep never takes the database's write lock.
    """
    query = select(PushMessage.id).where(_claimable(now)).order_by(PushMessage.next_attempt_at).limit(limit)
    if exclude:
        query = query.where(PushMessage.id.not_in(list(exclude)))
    postgres = db.get_bind().dialect.name == "postgresql"
    return list(await db.scalars(query.with_for_update(skip_locked=True) if postgres else query))


async def claim(
    db: AsyncSession,
    owner: str,
    now: datetime,
    lease_seconds: float,
    *,
    ids: Sequence[uuid.UUID] | None = None,
    limit: int = 100,
    exclude: Collection[uuid.UUID] = (),
) -> list[tuple[PushMessage, PushSubscription | None]]:
    """Take messages to send under `owner`'s lease: the given ids, or whatever is due.

    Each row is taken by one worker only (a guarded UPDATE; on PostgreSQL the due rows are
    picked with SKIP LOCKED so concurrent workers take disjoint sets).
    """
    if ids is not None:
        wanted: Any = list(ids)
        if not wanted:
            return []
    else:
        wanted = await due(db, now, limit, exclude)
        if not wanted:
            return []
    # Core UPDATE … RETURNING into detached rows: the worker only reads them, and settles them by
    # (id, attempts) with statements of its own, so the ORM's identity map and refresh buy nothing.
    table = cast(Table, PushMessage.__table__)
    rows = await db.execute(
        update(table)
        .where(table.c.id.in_(wanted), _claimable(now))
        .values(
            status=SENDING,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=table.c.attempts + 1,
            updated_at=now,
        )
        .returning(*table.c)
    )
    claimed = [PushMessage(**row._asdict()) for row in rows]
    if not claimed:
        return []
    subs = {
        s.device_id: s
        for s in await db.scalars(
            select(PushSubscription).where(PushSubscription.device_id.in_({m.device_id for m in claimed}))
        )
    }
    return [(m, subs.get(m.device_id)) for m in sorted(claimed, key=lambda m: m.created_at)]


def _hook(kind: str) -> OnSent | None:
    if kind not in _hooks and kind in SENT_HOOKS:
        module, _, attr = SENT_HOOKS[kind].partition(":")
        _hooks[kind] = getattr(importlib.import_module(module), attr)
    return _hooks.get(kind)


def next_status(message: PushMessage, result: PushResult, now: datetime) -> tuple[str, datetime | None]:
    """Where a message goes after an attempt: sent, gone, failed, expired, or pending again at a time."""
    if result.accepted:
        return SENT, None
    if result.gone:
        return GONE, None
    if not result.retryable or message.attempts >= MAX_ATTEMPTS:
        return FAILED, None
    delay = backoff(message.attempts, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS).total_seconds()
    if result.retry_after is not None:
        delay = max(delay, min(result.retry_after, MAX_RETRY_AFTER))
    retry_at = now + timedelta(seconds=delay)
    return (EXPIRED, None) if retry_at >= message.expires_at else (PENDING, retry_at)


async def settle(
    db: AsyncSession,
    owner: str,
    now: datetime,
    outcomes: Sequence[tuple[PushMessage, PushSubscription | None, PushResult | None]],
) -> dict[str, int]:
    """Record each attempt's outcome (None: not attempted, no subscription or already expired).

    One UPDATE per kind of outcome, guarded by (id, attempts) and our lease: an answer that
    comes after another worker took the message over is ignored.
    """
    groups: dict[tuple[str, datetime | None, int | None, str | None], list[PushMessage]] = defaultdict(list)
    subs: dict[uuid.UUID, PushSubscription] = {}
    for message, sub, result in outcomes:
        if result is None:
            status, retry_at = (GONE if sub is None else EXPIRED), None
        else:
            status, retry_at = next_status(message, result, now)
        if sub is not None:
            subs[message.id] = sub
        groups[
            (status, retry_at, result.status if result else None, result.error if result else None)
        ].append(message)
    counts: dict[str, int] = {}
    sent: list[PushMessage] = []
    for (status, retry_at, last_status, last_error), messages in groups.items():
        values: dict[str, Any] = {
            "status": status,
            "lease_owner": None,
            "lease_until": None,
            "updated_at": now,
        }
        values |= {"last_status": last_status, "last_error": last_error}
        if status == SENT:
            values["sent_at"] = now
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        held = tuple_(PushMessage.id, PushMessage.attempts).in_([(m.id, m.attempts) for m in messages])
        done = await db.execute(
            update(PushMessage)
            .where(held, PushMessage.status == SENDING, PushMessage.lease_owner == owner)
            .values(**values)
            .returning(PushMessage.id)
            .execution_options(synchronize_session=False)
        )
        settled = set(done.scalars())
        if settled:
            counts[status] = counts.get(status, 0) + len(settled)
        mine = [m for m in messages if m.id in settled]
        if status == SENT:
            sent += mine
        elif status == GONE and last_status in (404, 410):
            # RFC 8030 §7.3: the subscription is no more. Prune it; the device subscribes anew.
            for m in mine:
                sub = subs[m.id]
                await db.execute(
                    delete(PushSubscription).where(
                        PushSubscription.id == sub.id, PushSubscription.endpoint_hash == sub.endpoint_hash
                    )
                )
    if sent:
        refs: dict[str, set[str]] = defaultdict(set)
        for m in sent:
            if m.ref_id is not None:
                refs[m.kind].add(m.ref_id)
        for kind, ref_ids in refs.items():  # once per alarm, not once per phone
            hook = _hook(kind)
            if hook is not None:
                await hook(db, sorted(ref_ids), now)
    return counts


async def purge_settled(db: AsyncSession, now: datetime, limit: int = 5000) -> int:
    """Delete settled messages older than `RETENTION` (the alarm keeps its own record)."""
    old = select(PushMessage.id).where(
        PushMessage.status.in_((SENT, GONE, FAILED, EXPIRED)), PushMessage.updated_at < now - RETENTION
    )
    ids = list(await db.scalars(old.limit(limit)))
    if ids:
        await db.execute(delete(PushMessage).where(PushMessage.id.in_(ids)))
    return len(ids)


async def outbox_counts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(PushMessage.status, func.count()).group_by(PushMessage.status))
    return {status: int(n) for status, n in rows.all()}
