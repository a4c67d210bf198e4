"""The Bus: pub/sub between API workers plus durable streams with consumer groups, two backends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, Self

import msgspec

Message = bytes | Mapping[str, Any]
Fields = Mapping[str, str | int | float]


@dataclass(frozen=True)
class StreamEntry:
    """One stream entry as a consumer sees it; `id` is Redis's "<ms>-<seq>"."""

    id: str
    fields: dict[str, str]


@dataclass(frozen=True)
class PendingEntry:
    """Delivered to `consumer` but not acknowledged yet."""

    id: str
    consumer: str
    idle_ms: int
    deliveries: int


class NoGroup(LookupError):
    """The consumer group does not exist: call `ensure_group` first."""


def encode(message: Message) -> bytes:
    """Subscribers always receive bytes: bytes go as they are, mappings as JSON."""
    if isinstance(message, bytes | bytearray | memoryview):
        return bytes(message)
    return msgspec.json.encode(dict(message))


def stream_fields(fields: Fields) -> dict[str, str]:
    """Stream values are strings on the wire (as Redis stores them); numbers are formatted."""
    return {str(key): value if isinstance(value, str) else str(value) for key, value in fields.items()}


class Subscription(Protocol):
    """Messages of one topic, in publish order. Use `async with`: subscribed once entered."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    def __aiter__(self) -> AsyncIterator[bytes]: ...
    async def __anext__(self) -> bytes: ...
    async def close(self) -> None: ...


class Bus(Protocol):
    """Fire-and-forget pub/sub (live updates) and durable streams (alarms, jobs fan-out)."""

    async def publish(self, topic: str, message: Message) -> int:
        """Send to every current subscriber of `topic`; returns how many received it."""
        ...

    def subscribe(self, topic: str) -> Subscription: ...

    async def xadd(self, stream: str, fields: Fields, *, maxlen: int | None = None) -> str:
        """Append an entry (trimming the stream to about `maxlen`); returns its id."""
        ...

    async def ensure_group(self, stream: str, group: str, start: str = "0") -> None:
        """Create the consumer group if missing ("0": from the first entry, "$": only new ones)."""
        ...

    async def read_group(
        self, stream: str, group: str, consumer: str, *, count: int = 10, block_ms: int | None = None
    ) -> list[StreamEntry]:
        """New entries for `consumer`, which now owns them until it acks; waits up to `block_ms`."""
        ...

    async def ack(self, stream: str, group: str, *ids: str) -> int:
        """Mark entries processed; returns how many were pending."""
        ...

    async def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int = 10
    ) -> list[StreamEntry]:
        """Take over entries another consumer left unacked for `min_idle_ms` (it likely died)."""
        ...

    async def pending(self, stream: str, group: str, count: int = 100) -> list[PendingEntry]: ...

    async def close(self) -> None: ...
