"""Messaging between processes: in-process when there is no Redis, Redis pub/sub + Streams when there is."""

from __future__ import annotations

from backend.bus.protocol import Bus, Message, NoGroup, PendingEntry, StreamEntry, Subscription
from backend.config import Settings

__all__ = ["Bus", "Message", "NoGroup", "PendingEntry", "StreamEntry", "Subscription", "make_bus"]


def make_bus(settings: Settings, prefix: str = "tezuo:") -> Bus:
    """The Redis bus when TEZUO_REDIS_URL is set, else the in-process one (embedded default).

    There is no silent fallback: with a Redis URL configured, an unreachable Redis is an error
    the caller sees, because N API workers each falling back to their own memory would split
    the bus without anyone noticing.
    """
    if settings.redis_url is None:
        from backend.bus.memory import InProcessBus

        return InProcessBus()
    from backend.bus.redis_bus import RedisBus

    return RedisBus.from_url(settings.redis_url, prefix)
