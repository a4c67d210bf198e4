"""The Redis bus for the scaled shape: pub/sub between API workers, Streams with consumer groups."""

from __future__ import annotations

from typing import Any, Self

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ResponseError

from backend.bus.protocol import Fields, Message, NoGroup, PendingEntry, StreamEntry, encode, stream_fields


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entries(raw: list[Any]) -> list[StreamEntry]:
    return [
        StreamEntry(_text(entry_id), {_text(k): _text(v) for k, v in fields.items()})
        for entry_id, fields in raw
        if fields is not None  # Redis 6.2 XAUTOCLAIM: an entry deleted meanwhile
    ]


class RedisSubscription:
    """One pub/sub connection; entering waits for Redis to confirm, so nothing sent later is missed."""

    def __init__(self, client: Redis, channel: str):
        self._client, self._channel = client, channel
        self._pubsub: PubSub | None = None
        self._closed = False

    async def _open(self) -> PubSub:
        if self._pubsub is None:
            pubsub = self._client.pubsub()
            await pubsub.subscribe(self._channel)
            while True:
                confirm = await pubsub.get_message(timeout=None)
                if confirm is not None and confirm["type"] == "subscribe":
                    break
            self._pubsub = pubsub
        return self._pubsub

    async def __aenter__(self) -> Self:
        await self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        pubsub = await self._open()
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is not None and message["type"] == "message":
                data: bytes = message["data"]
                return data

    async def close(self) -> None:
        self._closed = True
        if self._pubsub is not None:
            pubsub, self._pubsub = self._pubsub, None
            await pubsub.aclose()


class RedisBus:
    """Every topic and stream name is prefixed, so several installations can share one Redis."""

    def __init__(self, client: Redis, prefix: str = "tezuo:"):
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "tezuo:") -> RedisBus:
        return cls(Redis.from_url(url, health_check_interval=30), prefix)

    def _key(self, name: str) -> str:
        return self.prefix + name

    async def publish(self, topic: str, message: Message) -> int:
        return int(await self.client.publish(self._key(topic), encode(message)))

    def subscribe(self, topic: str) -> RedisSubscription:
        return RedisSubscription(self.client, self._key(topic))

    async def xadd(self, stream: str, fields: Fields, *, maxlen: int | None = None) -> str:
        values: dict[Any, Any] = stream_fields(fields)  # redis-py's hint is an invariant dict
        entry_id = await self.client.xadd(self._key(stream), values, maxlen=maxlen, approximate=True)
        return _text(entry_id)

    async def ensure_group(self, stream: str, group: str, start: str = "0") -> None:
        try:
            await self.client.xgroup_create(self._key(stream), group, id=start, mkstream=True)
        except ResponseError as exc:
            if not str(exc).startswith("BUSYGROUP"):
                raise

    async def read_group(
        self, stream: str, group: str, consumer: str, *, count: int = 10, block_ms: int | None = None
    ) -> list[StreamEntry]:
        try:
            reply: Any = await self.client.xreadgroup(
                group, consumer, {self._key(stream): ">"}, count=count, block=block_ms or None
            )
        except ResponseError as exc:
            raise _translate(exc, stream, group) from exc
        return [entry for _, raw in reply or [] for entry in _entries(raw)]

    async def ack(self, stream: str, group: str, *ids: str) -> int:
        if not ids:
            return 0
        return int(await self.client.xack(self._key(stream), group, *ids))

    async def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int = 10
    ) -> list[StreamEntry]:
        try:
            reply: Any = await self.client.xautoclaim(
                self._key(stream), group, consumer, min_idle_ms, start_id="0-0", count=count
            )
        except ResponseError as exc:
            raise _translate(exc, stream, group) from exc
        return _entries(reply[1])

    async def pending(self, stream: str, group: str, count: int = 100) -> list[PendingEntry]:
        try:
            rows = await self.client.xpending_range(self._key(stream), group, min="-", max="+", count=count)
        except ResponseError as exc:
            raise _translate(exc, stream, group) from exc
        return [
            PendingEntry(
                _text(row["message_id"]),
                _text(row["consumer"]),
                int(row["time_since_delivered"]),
                int(row["times_delivered"]),
            )
            for row in rows
        ]

    async def close(self) -> None:
        await self.client.aclose()


def _translate(exc: ResponseError, stream: str, group: str) -> Exception:
    if str(exc).startswith("NOGROUP"):
        return NoGroup(f"no consumer group {group!r} on stream {stream!r}")
    return exc
