"""Wire types of ledger imports."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec


class ProgressOut(msgspec.Struct, kw_only=True):
    phase: str
    done: int
    total: int
    percent: int


class ImportOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    filename: str
    size: int
    status: str  # queued | running | done | rejected | failed | interrupted
    strict: bool
    unit_code: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    progress: ProgressOut | None
    summary: dict[str, Any]
    report: dict[str, Any]
    error: str | None
