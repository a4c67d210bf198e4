"""Push rules: subscriptions per device, `enqueue` into the outbox, claim and settle deliveries."""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import ipaddress
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import msgspec
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from backend.auth.models import Device
from backend.bus.after_commit import xadd_after_commit
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.core.ids import uuid7
from backend.jobs.service import backoff
from backend.push.models import EXPIRED, FAILED, GONE, PENDING, SENDING, SENT, PushMessage, PushSubscription
from backend.push.schemas import SubscriptionIn
from backend.push.webpush import PushResult

STREAM = "push"  # bus stream whose entries name outbox rows ready to send
URGENCIES = ("very-low", "low", "normal", "high")
# RFC 8291 §4: one 4096-byte record = 86 header bytes + plaintext + 1 delimiter + 16 tag.
MAX_PAYLOAD = 3800
MAX_ATTEMPTS = 20
RETRY_BASE_SECONDS = 1.0
RETRY_CAP_SECONDS = 60.0
MAX_RETRY_AFTER = 300.0

OnSent = Callable[[AsyncSession, PushMessage, datetime], Awaitable[None]]
# Who hears about a delivery the push service accepted, by message kind ("module:function").
SENT_HOOKS: dict[str, str] = {"alarm": "backend.alarms.service:on_push_sent"}
_hooks: dict[str, OnSent] = {}

_FRESH = {"populate_existing": True, "synchronize_session": False}


def _insert(db: AsyncSession) -> Any:
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def topic_of(dedupe_key: str) -> str:
    """RFC 8030 §5.4 Topic: ≤ 32 base64url characters, the same for every resend of a message."""
    return base64.urlsafe_b64encode(hashlib.sha256(dedupe_key.encode()).digest()[:24]).decode()


def _b64(value: str, length: int, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise Invalid(f"{what} 不是 base64url", code="subscription_keys") from None
    if len(raw) != length:
        raise Invalid(f"{what} 长度错误", code="subscription_keys")
    return raw


def check_endpoint(endpoint: str) -> None:
    """HTTPS to a push service; plain HTTP only to a loopback push service (the simulator)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and loopback:
        return
    raise Invalid("推送地址必须是 HTTPS", code="subscription_endpoint")


async def subscribe(
    db: AsyncSession, person_id: uuid.UUID, data: SubscriptionIn, now: datetime, user_agent: str = ""
) -> PushSubscription:
    """Store the browser's subscription on its device (one per device), replacing an older one.

    The same endpoint registered by another person (a shared phone, signed in by someone
    else) moves to the new person: pushes follow whoever is signed in on that browser.
    """
    check_endpoint(data.endpoint)
    if _b64(data.keys.p256dh, 65, "p256dh")[0] != 4:
        raise Invalid("p256dh 必须是未压缩的 P-256 公钥", code="subscription_keys")
    _b64(data.keys.auth, 16, "auth")
    device = await db.get(Device, data.device_id) if data.device_id else None
    if device is None or device.kind != "phone" or device.person_id != person_id:
        device = Device(kind="phone", name=(user_agent or "browser")[:120], person_id=person_id)
        db.add(device)
        await db.flush()
    digest = hashlib.sha256(data.endpoint.encode()).hexdigest()
    await db.execute(
        delete(PushSubscription).where(
            PushSubscription.endpoint_hash == digest, PushSubscription.device_id != device.id
        )
    )
    sub = await db.scalar(select(PushSubscription).where(PushSubscription.device_id == device.id))
    if sub is None:
        sub = PushSubscription(device_id=device.id, created_at=now)
        db.add(sub)
    sub.person_id, sub.endpoint, sub.endpoint_hash = person_id, data.endpoint, digest
    sub.p256dh, sub.auth, sub.user_agent, sub.updated_at = (
        data.keys.p256dh,
        data.keys.auth,
        user_agent[:300],
        now,
    )
    device.last_seen_at = now
    await db.flush()
    return sub


async def unsubscribe(db: AsyncSession, person_id: uuid.UUID, device_id: uuid.UUID) -> None:
    sub = await db.scalar(select(PushSubscription).where(PushSubscription.device_id == device_id))
    if sub is None:
        raise NotFound("该设备没有推送订阅", code="subscription_unknown")
    if sub.person_id != person_id:
        raise Forbidden("不能删除他人的推送订阅", code="subscription_not_yours")
    await db.delete(sub)


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
    if urgency not in URGENCIES:
        raise Invalid(f"urgency 必须是 {', '.join(URGENCIES)} 之一", code="push_urgency")
    if not 0 <= ttl <= 28 * 24 * 3600:
        raise Invalid("ttl 超出范围", code="push_ttl")
    if len(msgspec.json.encode(payload)) > MAX_PAYLOAD:
        raise Invalid(f"推送内容超过 {MAX_PAYLOAD} 字节", code="push_payload_too_large")
    people = list(set(person_ids))
    if not people:
        return 0
    subs = (
        await db.execute(
            select(PushSubscription.device_id, PushSubscription.person_id).where(
                PushSubscription.person_id.in_(people)
            )
        )
    ).all()
    if not subs:
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
        for device_id, person_id in subs
    ]
    stmt = (
        _insert(db)(PushMessage)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[PushMessage.dedupe_key, PushMessage.device_id])
        .returning(PushMessage.id)
    )
    ids = list((await db.execute(stmt)).scalars())
    if ids:
        xadd_after_commit(db, STREAM, {"ids": ",".join(str(i) for i in ids)})
    return len(ids)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Due and pending, or being sent by a worker whose lease ran out (it died mid-send)."""
    return or_(
        and_(PushMessage.status == PENDING, PushMessage.next_attempt_at <= now),
        and_(PushMessage.status == SENDING, PushMessage.lease_until < now),
    )


async def claim(
    db: AsyncSession,
    owner: str,
    now: datetime,
    lease_seconds: float,
    *,
    ids: Sequence[uuid.UUID] | None = None,
    limit: int = 100,
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
        due = select(PushMessage.id).where(_claimable(now)).order_by(PushMessage.next_attempt_at).limit(limit)
        if db.get_bind().dialect.name == "postgresql":
            wanted = list(await db.scalars(due.with_for_update(skip_locked=True)))
            if not wanted:
                return []
        else:
            wanted = due.scalar_subquery()
    claimed = list(
        await db.scalars(
            update(PushMessage)
            .where(PushMessage.id.in_(wanted), _claimable(now))
            .values(
                status=SENDING,
                lease_owner=owner,
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=PushMessage.attempts + 1,
                updated_at=now,
            )
            .returning(PushMessage)
            .execution_options(**_FRESH)
        )
    )
    if not claimed:
        return []
    subs = {
        s.device_id: s
        for s in await db.scalars(
            select(PushSubscription).where(PushSubscription.device_id.in_({m.device_id for m in claimed}))
        )
    }
    return [(m, subs.get(m.device_id)) for m in sorted(claimed, key=lambda m: m.created_at)]


def _held(message: PushMessage, owner: str) -> tuple[ColumnElement[bool], ...]:
    return (
        PushMessage.id == message.id,
        PushMessage.status == SENDING,
        PushMessage.lease_owner == owner,
        PushMessage.attempts == message.attempts,
    )


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
    """Record each attempt's outcome (None: not attempted, no subscription or already expired)."""
    counts: dict[str, int] = {}
    for message, sub, result in outcomes:
        if result is None:
            status, retry_at = (GONE if sub is None else EXPIRED), None
        else:
            status, retry_at = next_status(message, result, now)
        values: dict[str, Any] = {
            "status": status,
            "lease_owner": None,
            "lease_until": None,
            "updated_at": now,
        }
        if result is not None:
            values["last_status"] = result.status
            values["last_error"] = result.error
        if status == SENT:
            values["sent_at"] = now
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        done = await db.execute(update(PushMessage).where(*_held(message, owner)).values(**values))
        if not getattr(done, "rowcount", 0):
            continue  # our lease ran out and another worker took the message over
        counts[status] = counts.get(status, 0) + 1
        if status == SENT:
            if sub is not None:
                await db.execute(
                    update(PushSubscription).where(PushSubscription.id == sub.id).values(last_success_at=now)
                )
            hook = _hook(message.kind)
            if hook is not None:
                await hook(db, message, now)
        elif status == GONE and sub is not None and result is not None:
            # RFC 8030 §7.3: the subscription is no more. Prune it; the device subscribes anew.
            await db.execute(
                delete(PushSubscription).where(
                    PushSubscription.id == sub.id, PushSubscription.endpoint_hash == sub.endpoint_hash
                )
            )
    return counts


async def outbox_counts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(PushMessage.status, func.count()).group_by(PushMessage.status))
    return {status: int(n) for status, n in rows.all()}
