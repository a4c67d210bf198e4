"""The sync commands the server knows: each domain registers its own (one line per domain here)."""

from __future__ import annotations

import importlib

from litestar.datastructures import State

from backend.sync.context import SyncContext
from sync.rules import Registry

# "module:function" taking the registry; imported when an app is built, not at import time.
DOMAINS = (
    "backend.people.commands:register",
    "backend.badges.commands:register",
    "backend.alarms.commands:register",
    "backend.permits.commands:register",
)


def build_registry() -> Registry[SyncContext]:
    registry: Registry[SyncContext] = Registry()
    for path in DOMAINS:
        module, _, function = path.partition(":")
        getattr(importlib.import_module(module), function)(registry)
    return registry


def registry_of(state: State) -> Registry[SyncContext]:
    """The app's registry, built on first use (tests may put their own in `state.sync_registry`)."""
    if "sync_registry" not in state:
        state.sync_registry = build_registry()
    registry: Registry[SyncContext] = state.sync_registry
    return registry
