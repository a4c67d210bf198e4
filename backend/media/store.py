"""Files that belong to a database row appear when its transaction commits, never before.

A file is first put beside its final place under a hidden pending name; the session's
`after_commit` renames it into place and `after_rollback` deletes it. A crash between the two
leaves only a pending name, which `sweep_pending` removes (`tezuo media purge`)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

PENDING = ".pending"


def _pending(dst: Path) -> Path:
    return dst.with_name(f".{dst.name}{PENDING}")


def _on_outcome(db: AsyncSession, committed: Callable[[], object], rolled_back: Callable[[], object]) -> None:
    """Run exactly one of the two when the session's transaction ends."""
    sync = db.sync_session
    done = False

    def after_commit(_session: object) -> None:
        nonlocal done
        if not done:
            done = True
            committed()

    def after_rollback(_session: object) -> None:
        nonlocal done
        if not done:
            done = True
            rolled_back()

    event.listen(sync, "after_commit", after_commit, once=True)
    event.listen(sync, "after_rollback", after_rollback, once=True)


def _settle(db: AsyncSession, pending: Path, dst: Path) -> None:
    _on_outcome(db, lambda: pending.replace(dst), lambda: pending.unlink(missing_ok=True))


def write_on_commit(db: AsyncSession, dst: Path, body: bytes) -> None:
    """`body` becomes `dst` when `db` commits; nothing is left when it rolls back."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    pending = _pending(dst)
    pending.write_bytes(body)
    _settle(db, pending, dst)


def move_on_commit(db: AsyncSession, src: Path, dst: Path, restore: bool = False) -> None:
    """`src` (same file system) becomes `dst` when `db` commits; on rollback it is deleted, or
    put back as `src` when `restore` (a resumable upload's bytes outlive a failed completion)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    pending = _pending(dst)
    src.replace(pending)
    if restore:
        _on_outcome(db, lambda: pending.replace(dst), lambda: pending.replace(src))
    else:
        _settle(db, pending, dst)


def copy_on_commit(db: AsyncSession, src: Path, dst: Path) -> None:
    """A copy of `src` appears as `dst` when `db` commits."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    pending = _pending(dst)
    shutil.copyfile(src, pending)
    _settle(db, pending, dst)


def sweep_pending(root: Path, older_than_s: float, now: float | None = None) -> int:
    """Delete pending files left by a process that died between the write and the commit."""
    if not root.exists():
        return 0
    cutoff = (now if now is not None else time.time()) - older_than_s
    removed = 0
    for path in root.rglob(f".*{PENDING}"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def delete_on_commit(db: AsyncSession, path: Path) -> None:
    """`path` is deleted when `db` commits (kept if it rolls back)."""
    _on_outcome(db, lambda: path.unlink(missing_ok=True), lambda: None)
