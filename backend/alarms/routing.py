"""The routing file: alarm kind → tier; tier → roles reached, push parameters, escalation levels."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from backend.people.roles import ROLES

DEFAULT = Path(__file__).with_name("routing.json")
Labels = dict[str, str]  # language → text; "zh-CN" is required


class TierRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    label: Labels
    roles: list[str]
    escalation: list[list[str]] = []
    ack_timeout_seconds: Annotated[int, msgspec.Meta(ge=10, le=3600)] = 90  # KPI: first response ≤ 90 s
    urgency: Literal["very-low", "low", "normal", "high"] = "high"
    ttl: Annotated[int, msgspec.Meta(ge=0, le=86_400)] = 3600
    require_interaction: bool = False
    vibrate: list[int] = []
    sound: bool = False
    image: bool = False


class KindRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tier: int
    label: Labels


class Routing(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tiers: dict[str, TierRule]
    kinds: dict[str, KindRule]
    comment: str = msgspec.field(default="", name="_comment")

    def kind(self, name: str) -> KindRule | None:
        return self.kinds.get(name)

    def tier(self, number: int) -> TierRule:
        return self.tiers[str(number)]


class RoutingError(ValueError):
    pass


def check(routing: Routing) -> Routing:
    """Refuse a routing file that would send an alarm nowhere."""
    for name, tier in routing.tiers.items():
        unknown = {r for level in [tier.roles, *tier.escalation] for r in level} - set(ROLES)
        if unknown:
            raise RoutingError(f"tier {name}: unknown roles {sorted(unknown)}")
        if not tier.roles:
            raise RoutingError(f"tier {name} reaches no role")
        if "zh-CN" not in tier.label:
            raise RoutingError(f"tier {name} has no zh-CN label")
    for name, kind in routing.kinds.items():
        if str(kind.tier) not in routing.tiers:
            raise RoutingError(f"kind {name}: tier {kind.tier} is not defined")
        if "zh-CN" not in kind.label:
            raise RoutingError(f"kind {name} has no zh-CN label")
    return routing


@cache
def load_routing(path: Path | None = None) -> Routing:
    """The routing file at `path` (default: the one shipped next to this module), checked."""
    try:
        routing = msgspec.json.decode((path or DEFAULT).read_bytes(), type=Routing)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise RoutingError(f"alarm routing {path or DEFAULT}: {exc}") from exc
    return check(routing)
