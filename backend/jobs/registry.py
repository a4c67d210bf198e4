"""Which function handles which timer kind: an explicit `{kind: "module:function"}` map, imported lazily."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config import Settings
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
    settings: Settings | None = None  # what the scheduler process was started with

    def require_settings(self) -> Settings:
        if self.settings is None:
            raise RuntimeError(f"timer kind {self.timer.kind} needs the scheduler's settings")
        return self.settings


Handler = Callable[[JobContext], Awaitable[None]]

# Every built-in kind. Domains add their line here (no import-time scanning of packages).
HANDLERS: dict[str, str] = {
    "jobs.purge_expired_auth": "backend.jobs.builtin:purge_expired_auth",
    "permits.push": "backend.permits.jobs:push",
    "permits.expire": "backend.permits.jobs:expire",
    "permits.deputy": "backend.permits.jobs:deputy",
    "permits.escalate": "backend.permits.jobs:escalate",
    "permits.absence_start": "backend.permits.jobs:absence_start",
    "permits.gas_due": "backend.permits.jobs:gas_due",
    "permits.gas_watch": "backend.permits.jobs:gas_watch",
    "workers.certificate_warning": "backend.workers.warnings_part:certificate_warning",
    "workers.daily_scan": "backend.workers.scan_part:daily_scan_job",
    "integrations.deliver": "backend.integrations.service:deliver_job",
    "alarms.escalate": "backend.alarms.service:escalate",
    "audit.sign_tree_head": "backend.audit.jobs:sign_tree_head",
    "registry.daily_check": "backend.registry.jobs:daily_check",
    "media.purge_face_templates": "backend.media.jobs:purge_face_templates",
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
