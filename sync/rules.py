"""Merge rules and the command registry: each command kind declares how concurrent intents combine."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec

from sync.messages import EntityState, Operation

# A device clock further off than this (measured when it pushes) is corrected; smaller
# differences are network latency and are left alone so near-simultaneous edits stay stable.
SKEW_TOLERANCE_MS = 60_000


class Rule(enum.StrEnum):
    """How a command combines with concurrent ones (SYNC.md, table of rules)."""

    APPEND = "append"  # always accepted once: readings, scans, photos, reports
    LWW_FIELD = "lww-field"  # per field, the later write by HLC wins; ties by device id
    GUARDED = "guarded"  # precondition re-checked against the current state and rights
    SIGNED_GUARDED = "signed-guarded"  # guarded, plus a passkey assertion over the op's hash


class Reject(Exception):
    """A command's rule said no: becomes a stored `rejected` result with this code and reason."""

    def __init__(self, code: str, reason: str, current: EntityState | None = None):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.current = current


class Defer(Exception):
    """The server could not decide now (a fault of its own): answered `deferred`, not stored."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class Stamp(msgspec.Struct, frozen=True):
    """When a write happened, for last-writer-wins.

    `at` is the server's estimate in ms (the device's HLC wall time, corrected for the skew the
    device showed when pushing and never later than the server received it); `hlc` is the
    device's own timestamp; `device` is "" for writes made on the server itself.
    """

    at: int
    hlc: str
    device: str


def clock_skew(sent_at: int | None, server_now: int) -> int:
    """How far the device's clock is ahead of the server's (0 when within tolerance or unknown)."""
    if sent_at is None:
        return 0
    skew = sent_at - server_now
    return skew if abs(skew) > SKEW_TOLERANCE_MS else 0


def effective_ms(hlc_wall: int, skew: int, received_ms: int) -> int:
    """The device time moved onto the server's clock, and never in the future of receipt."""
    return min(hlc_wall - skew, received_ms)


def newer(new: Stamp, old: Stamp | None) -> bool:
    """Does `new` win over `old`? A device never loses to its own earlier write."""
    if old is None:
        return True
    if new.device and new.device == old.device:
        return new.hlc > old.hlc
    return (new.at, new.device) > (old.at, old.device)


def lww_merge(
    stamps: Mapping[str, Stamp], changes: Mapping[str, Any], stamp: Stamp
) -> tuple[dict[str, Any], list[str]]:
    """Split an op's field changes into those it wins and the names of those it loses."""
    won: dict[str, Any] = {}
    lost: list[str] = []
    for name, value in changes.items():
        if newer(stamp, stamps.get(name)):
            won[name] = value
        else:
            lost.append(name)
    return won, sorted(lost)


@dataclass
class Effect:
    """What a handler did: the entity it changed (server-specific handle) and how it merged."""

    target: Any
    stale: bool = False  # the op's base_version was behind: it was merged into newer state
    lost: list[str] = field(default_factory=list)


Ctx = TypeVar("Ctx")
Handler = Callable[[Ctx, Operation, Any, Stamp], Awaitable[Effect]]


@dataclass(frozen=True)
class Command(Generic[Ctx]):
    """One command kind: its merge rule, the Struct its args decode into, and its handler.

    A handler raises `Reject` to refuse, and only before it writes anything: the push
    algorithm relies on that to keep each op atomic without a savepoint per op.

    `own_signature`: a signed-guarded command whose domain already defines what is signed (a
    permit decision: docs/permits.md). The op must still carry a signature, but the handler
    verifies it over the domain's own canonical bytes instead of the op's hash.
    """

    kind: str
    rule: Rule
    args: type[msgspec.Struct]
    handler: Handler[Ctx]
    entity: str
    own_signature: bool = False


class Registry(Generic[Ctx]):
    """`{kind: Command}` that domains register into; one per server implementation."""

    def __init__(self, commands: Iterable[Command[Ctx]] = ()):
        self._commands: dict[str, Command[Ctx]] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command[Ctx]) -> None:
        if command.kind in self._commands:
            raise ValueError(f"command {command.kind} registered twice")
        self._commands[command.kind] = command

    def command(
        self, kind: str, rule: Rule, args: type[msgspec.Struct], entity: str
    ) -> Callable[[Handler[Ctx]], Handler[Ctx]]:
        """Decorator form of `add`."""

        def register(handler: Handler[Ctx]) -> Handler[Ctx]:
            self.add(Command(kind, rule, args, handler, entity))
            return handler

        return register

    def get(self, kind: str) -> Command[Ctx] | None:
        return self._commands.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._commands)
