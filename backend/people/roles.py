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
# Roles that sign permit steps or receive alarms, so a B角 can stand in for them while away
# (backend/permits/approvals.py deputy_of, backend/alarms/recipients.py).
DEPUTISABLE: tuple[str, ...] = (
    "guardian",
    "inspector",
    "team_leader",
    "safety_officer",
    "workshop_director",
    "vice_president",
)
# Who names or removes someone else's B角, and marks someone else away: over that person's unit.
STAND_IN_MANAGERS: tuple[str, ...] = ("admin", "workshop_director", "vice_president", "hr")
