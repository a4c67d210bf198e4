"""What a sync command handler gets, and how a domain declares one of its commands."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.config import Settings
from backend.core.errors import DomainError
from backend.sync.stamps import FieldStamps
from sync.messages import Operation
from sync.rules import Command, Effect, Handler, Reject, Rule, Stamp


@dataclass
class SyncContext:
    """One push request: its transaction, the caller, the device, the batch's LWW stamps."""

    db: AsyncSession
    principal: Principal
    settings: Settings
    now: datetime
    device_id: uuid.UUID
    stamps: FieldStamps


def command(
    kind: str, rule: Rule, args: type[msgspec.Struct], entity: str, *, own_signature: bool = False
) -> Callable[[Handler[SyncContext]], Command[SyncContext]]:
    """Declare a domain service call as a sync command; its DomainErrors become rejections.

    The handler must raise before it writes anything (see sync.rules.Command). `own_signature`:
    the handler verifies the op's signature over its domain's own signed form.
    """

    def wrap(handler: Handler[SyncContext]) -> Command[SyncContext]:
        @functools.wraps(handler)
        async def run(ctx: SyncContext, op: Operation, parsed: Any, stamp: Stamp) -> Effect:
            try:
                return await handler(ctx, op, parsed, stamp)
            except DomainError as exc:
                raise Reject(exc.code, exc.detail) from None

        return Command(kind, rule, args, run, entity, own_signature)

    return wrap
