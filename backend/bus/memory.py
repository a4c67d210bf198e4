"""The in-process bus for the embedded default: asyncio queues, streams kept in memory."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

from backend.bus.protocol import Fields, Message, NoGroup, PendingEntry, StreamEntry, encode, stream_fields

log = logging.getLogger("tezuo.bus")

Key = tuple[int, int]
_CLOSED = object()


def _parse(entry_id: str) -> Key:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


class MemorySubscription:
    """A queue fed by `publish`; a slow reader loses the oldest messages, not the newest."""

    def __init__(self, bus: InProcessBus, topic: str, maxsize: int):
        self._bus, self.topic = bus, topic
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize)
        self._active = self._closed = self._warned = False

    def _open(self) -> None:
        if not self._active and not self._closed:
            self._bus._subscribers.setdefault(self.topic, set()).add(self)
            self._active = True

    def _deliver(self, data: object) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            if not self._warned:
                log.warning("subscriber of %s is too slow; dropping oldest messages", self.topic)
                self._warned = True
        self._queue.put_nowait(data)

    async def __aenter__(self) -> Self:
        self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        self._open()
        if self._closed and self._queue.empty():
            raise StopAsyncIteration
        data = await self._queue.get()
        if data is _CLOSED:
            raise StopAsyncIteration
        assert isinstance(data, bytes)
        return data

    async def close(self) -> None:
        if self._active:
            self._bus._subscribers.get(self.topic, set()).discard(self)
        self._active, self._closed = False, True
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_CLOSED)


@dataclass
class _Pending:
    consumer: str
    delivered_at: float
    deliveries: int


@dataclass
class _Group:
    last: Key
    pending: dict[str, _Pending] = field(default_factory=dict)


@dataclass
class _Stream:
    keys: list[Key] = field(default_factory=list)
    entries: dict[Key, StreamEntry] = field(default_factory=dict)
    groups: dict[str, _Group] = field(default_factory=dict)
    last: Key = (0, 0)
    added: asyncio.Event = field(default_factory=asyncio.Event)


class InProcessBus:
    """Same behaviour as the Redis bus inside one process; nothing survives a restart."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, queue_size: int = 10_000):
        self._monotonic = monotonic
        self._queue_size = queue_size
        self._subscribers: dict[str, set[MemorySubscription]] = {}
        self._streams: dict[str, _Stream] = {}

    async def publish(self, topic: str, message: Message) -> int:
        data = encode(message)
        subscribers = list(self._subscribers.get(topic, ()))
        for sub in subscribers:
            sub._deliver(data)
        return len(subscribers)

    def subscribe(self, topic: str) -> MemorySubscription:
        return MemorySubscription(self, topic, self._queue_size)

    def _next_id(self, stream: _Stream) -> Key:
        ms = int(time.time() * 1000)
        return (ms, 0) if ms > stream.last[0] else (stream.last[0], stream.last[1] + 1)

    async def xadd(self, stream: str, fields: Fields, *, maxlen: int | None = None) -> str:
        st = self._streams.setdefault(stream, _Stream())
        key = st.last = self._next_id(st)
        entry = StreamEntry(f"{key[0]}-{key[1]}", stream_fields(fields))
        st.keys.append(key)
        st.entries[key] = entry
        if maxlen is not None:
            for old in st.keys[: max(0, len(st.keys) - maxlen)]:
                del st.entries[old]
            del st.keys[: max(0, len(st.keys) - maxlen)]
        added, st.added = st.added, asyncio.Event()
        added.set()
        return entry.id

    async def ensure_group(self, stream: str, group: str, start: str = "0") -> None:
        st = self._streams.setdefault(stream, _Stream())
        if group not in st.groups:
            st.groups[group] = _Group(last=st.last if start == "$" else _parse(start))

    def _group(self, stream: str, group: str) -> tuple[_Stream, _Group]:
        st = self._streams.get(stream)
        if st is None or group not in st.groups:
            raise NoGroup(f"no consumer group {group!r} on stream {stream!r}")
        return st, st.groups[group]

    async def read_group(
        self, stream: str, group: str, consumer: str, *, count: int = 10, block_ms: int | None = None
    ) -> list[StreamEntry]:
        deadline = self._monotonic() + (block_ms or 0) / 1000
        while True:
            st, grp = self._group(stream, group)
            start = bisect.bisect_right(st.keys, grp.last)
            keys = st.keys[start : start + count]
            if keys or not block_ms:
                break
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(st.added.wait(), remaining)
        now = self._monotonic()
        for key in keys:
            entry = st.entries[key]
            grp.pending[entry.id] = _Pending(consumer, now, 1)
        if keys:
            grp.last = keys[-1]
        return [st.entries[key] for key in keys]

    async def ack(self, stream: str, group: str, *ids: str) -> int:
        _, grp = self._group(stream, group)
        return sum(grp.pending.pop(entry_id, None) is not None for entry_id in ids)

    async def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int = 10
    ) -> list[StreamEntry]:
        st, grp = self._group(stream, group)
        now = self._monotonic()
        claimed: list[StreamEntry] = []
        for entry_id in sorted(grp.pending, key=_parse):
            if len(claimed) >= count:
                break
            info = grp.pending[entry_id]
            if (now - info.delivered_at) * 1000 < min_idle_ms:
                continue
            entry = st.entries.get(_parse(entry_id))
            if entry is None:  # trimmed away meanwhile: nothing left to process
                del grp.pending[entry_id]
                continue
            grp.pending[entry_id] = _Pending(consumer, now, info.deliveries + 1)
            claimed.append(entry)
        return claimed

    async def pending(self, stream: str, group: str, count: int = 100) -> list[PendingEntry]:
        _, grp = self._group(stream, group)
        now = self._monotonic()
        return [
            PendingEntry(entry_id, info.consumer, int((now - info.delivered_at) * 1000), info.deliveries)
            for entry_id, info in sorted(grp.pending.items(), key=lambda item: _parse(item[0]))[:count]
        ]

    async def close(self) -> None:
        for subs in list(self._subscribers.values()):
            for sub in list(subs):
                await sub.close()
