"""The outbox: enqueue in the caller's transaction, deliver from a timer, retry with backoff.

A message is written with the change that caused it (a freeze, a T-30 reminder) and a
`integrations.deliver` timer due at once. The timer's handler calls the adapter; on failure it
records the error on the message and arms the next attempt as a new timer, so every try is a
durable row and the failed attempt's bookkeeping survives. Messages with the same
`ordering_key` (one person's gate revoke/restore) are delivered oldest first.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config import Settings
from backend.core.ids import uuid7
from backend.integrations.adapters import DeliveryError, HttpGate, HttpHrWebhook
from backend.integrations.models import FAILED, PENDING, SENT, TARGETS, UNROUTED, OutboxMessage
from backend.jobs import service as jobs
from backend.jobs.registry import JobContext

log = logging.getLogger("tezuo.integrations")

DELIVER = "integrations.deliver"
WAIT_FOR_EARLIER = timedelta(seconds=30)
TIMEOUT = httpx.Timeout(10.0)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … doubling, at most 1 h: ten attempts span about 4.5 hours."""
    return jobs.backoff(attempts)


async def enqueue(
    db: AsyncSession,
    target: str,
    kind: str,
    payload: Mapping[str, Any],
    *,
    dedupe_key: str,
    ordering_key: str,
    now: datetime,
) -> OutboxMessage:
    """The message named `dedupe_key`, created with its first delivery timer if new."""
    if target not in TARGETS:
        raise ValueError(f"unknown outbox target {target}")
    existing = await db.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        id=_ordered_id(),
        target=target,
        kind=kind,
        payload=dict(payload),
        dedupe_key=dedupe_key,
        ordering_key=ordering_key,
        status=PENDING,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    db.add(message)
    await db.flush()
    await jobs.schedule(db, DELIVER, now, {"message_id": str(message.id)}, f"outbox:{message.id}:0", now=now)
    return message


_last_id = 0


def _ordered_id() -> uuid.UUID:
    """UUIDv7, strictly increasing within the process (RFC 9562 §6.2 monotonicity), so two
    messages for one person written in the same millisecond still deliver in write order."""
    global _last_id
    value = uuid7().int
    _last_id = value if value > _last_id else _last_id + 1
    return uuid.UUID(int=_last_id)


class Deliverer:
    """Sends one message through the adapter of its target."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient):
        self.settings, self.client = settings, client

    def routed(self, target: str) -> bool:
        return bool(self.settings.hr_webhook_url if target == "hr" else self.settings.gate_url)

    async def send(self, message: OutboxMessage) -> int:
        secret, key = self.settings.integration_secret, str(message.id)
        data = message.payload
        if message.target == "hr":
            assert self.settings.hr_webhook_url
            hr = HttpHrWebhook(self.client, self.settings.hr_webhook_url, secret)
            return await hr.send(message.kind, data, idempotency_key=key)
        assert self.settings.gate_url
        gate = HttpGate(self.client, self.settings.gate_url, secret)
        if message.kind == "access.revoke":
            return await gate.revoke(data["person"], data.get("reason", ""), idempotency_key=key)
        if message.kind == "access.restore":
            return await gate.restore(data["person"], idempotency_key=key)
        raise DeliveryError(f"gate adapter has no message kind {message.kind}")


async def _earlier_pending(db: AsyncSession, message: OutboxMessage) -> bool:
    found = await db.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.ordering_key == message.ordering_key,
            OutboxMessage.status == PENDING,
            OutboxMessage.id < message.id,
        )
        .limit(1)
    )
    return found is not None


async def deliver(db: AsyncSession, message_id: uuid.UUID, deliverer: Deliverer, now: datetime) -> str:
    """One delivery attempt; returns the message's status afterwards."""
    message = await db.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.status != PENDING:
        return message.status if message else "missing"
    if await _earlier_pending(db, message):
        await jobs.schedule(
            db,
            DELIVER,
            now + WAIT_FOR_EARLIER,
            {"message_id": str(message.id)},
            f"outbox:{message.id}:{message.attempts}:wait:{now.isoformat()}",
            now=now,
        )
        return PENDING
    if not deliverer.routed(message.target):
        message.status, message.updated_at = UNROUTED, now
        message.last_error = f"no endpoint configured for {message.target}"
        log.warning("outbox %s (%s): %s", message.id, message.kind, message.last_error)
        return UNROUTED
    message.attempts += 1
    message.updated_at = now
    try:
        message.response_status = await deliverer.send(message)
    except DeliveryError as exc:
        message.last_error, message.response_status = str(exc)[:2000], exc.status
        if message.attempts >= message.max_attempts:
            message.status = FAILED
            log.error("outbox %s (%s) failed for good: %s", message.id, message.kind, exc)
            return FAILED
        retry_at = now + backoff(message.attempts)
        key = f"outbox:{message.id}:{message.attempts}"
        await jobs.schedule(db, DELIVER, retry_at, {"message_id": str(message.id)}, key, now=now)
        log.warning("outbox %s (%s) attempt %d: %s", message.id, message.kind, message.attempts, exc)
        return PENDING
    message.status, message.sent_at, message.last_error = SENT, now, None
    return SENT


async def deliver_job(ctx: JobContext) -> None:
    """Timer handler of `integrations.deliver`."""
    settings = ctx.require_settings()
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        await deliver(
            ctx.db, uuid.UUID(ctx.timer.payload["message_id"]), Deliverer(settings, client), ctx.now
        )
