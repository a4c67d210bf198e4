"""Which function handles which timer kind: an explicit `{kind: "module:function"}` map, imported lazily."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.models import Timer


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the transaction its work commits in, the timer, and the clock's now.

    The timer is marked done in the same transaction, so a handler whose effects are database
    writes takes effect exactly once. Effects outside the database (a push, an SMS) must be
    idempotent on `timer.dedupe_key`: a worker that dies mid-run leaves the timer to be retried.
    """

    db: AsyncSession
    timer: Timer
    now: datetime


Handler = Callable[[JobContext], Awaitable[None]]

# Every built-in kind. Domains add their line here (no import-time scanning of packages).
HANDLERS: dict[str, str] = {
    "jobs.purge_expired_auth": "backend.jobs.builtin:purge_expired_auth",
    "alarms.escalate": "backend.alarms.service:escalate",
}


class UnknownKind(LookupError):
    pass


class Registry:
    """Resolves a kind to its handler on first use and keeps it."""

    def __init__(self, handlers: Mapping[str, str | Handler]):
        self._specs = dict(handlers)
        self._loaded: dict[str, Handler] = {}

    def __contains__(self, kind: object) -> bool:
        return kind in self._specs

    def resolve(self, kind: str) -> Handler:
        if kind in self._loaded:
            return self._loaded[kind]
        spec = self._specs.get(kind)
        if spec is None:
            raise UnknownKind(f"no handler registered for timer kind {kind!r}")
        if isinstance(spec, str):
            module_name, _, attr = spec.partition(":")
            handler: Handler = getattr(importlib.import_module(module_name), attr)
        else:
            handler = spec
        self._loaded[kind] = handler
        return handler
