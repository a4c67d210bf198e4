"""Who may watch a site's alarm board, answer an alarm, or assign it (scope rules in one place)."""

from __future__ import annotations

from collections.abc import Iterable

from backend.auth.principal import Principal
from backend.core.errors import Forbidden

# The control room and the people on the ground who keep an eye on a whole site.
WATCHERS = frozenset(
    {"guardian", "inspector", "team_leader", "safety_officer", "workshop_director", "vice_president", "admin"}
)
# May acknowledge or resolve an alarm in their scope even when it was not routed to them.
RESPONDERS = WATCHERS
# May hand an alarm to someone (the control room's "assign").
SUPERVISORS = frozenset({"team_leader", "safety_officer", "workshop_director", "vice_president", "admin"})


def overlaps(a: str, b: str) -> bool:
    """One path contains the other: a site-wide role covers a workshop, a team role sits in it."""
    return a.startswith(b) or b.startswith(a)


def holds_near(who: Principal, roles: Iterable[str], path: str) -> bool:
    wanted = set(roles)
    return any(g.role in wanted and overlaps(path, g.scope_path) for g in who.grants)


def require_watch(who: Principal, site_path: str) -> None:
    if not holds_near(who, WATCHERS, site_path):
        raise Forbidden("无权查看该厂区的报警看板", code="board_forbidden")


def ancestors(path: str) -> list[str]:
    """ "/E/S/W/" → ["/E/", "/E/S/", "/E/S/W/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
