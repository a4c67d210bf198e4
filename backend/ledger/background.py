"""Imports uploaded from the PWA run in the background of the API process that received them.

The upload is stored under $TEZUO_DATA_DIR/imports/, its `ledger_imports` row committed, and
the import runs as an asyncio task: reading and checking in a thread, writing in one
transaction that also records the result, so a crash leaves nothing half-written. Progress goes
to a small JSON file beside the upload (the import's transaction cannot publish rows before it
commits, and the file works for every API worker sharing the data volume). A task whose
progress file stops moving for two minutes is reported as interrupted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.service import catalog_for
from backend.config import Settings
from backend.core.errors import DomainError
from backend.db.engine import transaction
from backend.ledger.models import LedgerImport
from backend.ledger.service import run_import
from backend.workers.numbers_part import ciphers_for

log = logging.getLogger("tezuo.ledger")
STALE_SECONDS = 120
_TASKS: set[asyncio.Task[None]] = set()  # strong references: asyncio keeps only weak ones


def imports_dir(settings: Settings) -> Path:
    return settings.data_dir / "imports"


def upload_path(settings: Settings, import_id: uuid.UUID) -> Path:
    return imports_dir(settings) / f"{import_id}.xlsx"


def progress_path(settings: Settings, import_id: uuid.UUID) -> Path:
    return imports_dir(settings) / f"{import_id}.progress.json"


def read_progress(settings: Settings, import_id: uuid.UUID) -> dict[str, Any] | None:
    try:
        return dict(json.loads(progress_path(settings, import_id).read_text()))
    except (OSError, ValueError):
        return None


class ProgressFile:
    """Writes {phase, done, total, at} at most every 0.3 s (and always at a phase change)."""

    def __init__(self, path: Path):
        self.path, self.last, self.phase = path, 0.0, ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.time()
        if phase == self.phase and now - self.last < 0.3 and done < total:
            return
        self.phase, self.last = phase, now
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total, "at": now}))
        tmp.replace(self.path)


def start(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    import_id: uuid.UUID,
    clock: Callable[[], datetime],
    allowed_paths: list[str] | None,
) -> None:
    task = asyncio.create_task(run(maker, settings, import_id, clock, allowed_paths))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def run(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    import_id: uuid.UUID,
    clock: Callable[[], datetime],
    allowed_paths: list[str] | None,
) -> None:
    progress = ProgressFile(progress_path(settings, import_id))
    progress("queued", 0, 0)
    async with transaction(maker) as db:
        row = await db.get(LedgerImport, import_id)
        assert row is not None
        row.status, row.started_at = "running", clock()
        strict, unit = row.strict, row.unit_code
    try:
        async with transaction(maker) as db:
            with upload_path(settings, import_id).open("rb") as source:
                result = await run_import(
                    db,
                    catalog_for(settings),
                    ciphers_for(settings.secret_key),
                    source,
                    now=clock(),
                    default_unit=unit,
                    strict=strict,
                    import_id=import_id,
                    progress=progress,
                    allowed_paths=allowed_paths,
                )
            row = await db.get(LedgerImport, import_id)
            assert row is not None
            row.status, row.summary, row.report, row.finished_at = (
                result.status,
                result.summary,
                result.report,
                clock(),
            )
            if result.status == "rejected":
                raise _Rejected(result.summary, result.report)
    except _Rejected as rejected:  # strict run with errors: the data was rolled back, record why
        await _finish(maker, import_id, "rejected", clock(), summary=rejected.summary, report=rejected.report)
    except DomainError as exc:
        await _finish(maker, import_id, "failed", clock(), error=f"[{exc.code}] {exc.detail}")
    except Exception as exc:
        log.exception("ledger import %s failed", import_id)
        await _finish(maker, import_id, "failed", clock(), error=f"导入失败：{type(exc).__name__}")
    finally:
        progress("finished", 1, 1)


class _Rejected(Exception):
    def __init__(self, summary: dict[str, Any], report: dict[str, Any]):
        super().__init__("rejected")
        self.summary, self.report = summary, report


async def _finish(
    maker: async_sessionmaker[AsyncSession],
    import_id: uuid.UUID,
    status: str,
    now: datetime,
    *,
    summary: dict[str, Any] | None = None,
    report: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    async with transaction(maker) as db:
        row = await db.get(LedgerImport, import_id)
        if row is not None:
            row.status, row.finished_at, row.error = status, now, error
            if summary is not None:
                row.summary, row.report = summary, report or {}


def stale(settings: Settings, row: LedgerImport) -> bool:
    """Queued or running, but its progress file has not moved for STALE_SECONDS."""
    if row.status not in ("queued", "running"):
        return False
    progress = read_progress(settings, row.id)
    return progress is None or time.time() - float(progress.get("at", 0)) > STALE_SECONDS
