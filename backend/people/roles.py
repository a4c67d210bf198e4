"""The roles of ARCHITECTURE.md, once: the wire type, the tuple, and who oversees others."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal[
    "worker",
    "guardian",
    "inspector",
    "team_leader",
    "safety_officer",
    "workshop_director",
    "vice_president",
    "hr",
    "admin",
]
ROLES: tuple[str, ...] = get_args(Role)
# Every role but a plain worker sees the people inside its scope; a worker sees only themself.
OVERSEEING = frozenset(ROLES) - {"worker"}
