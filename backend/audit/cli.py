"""`tezuo audit verify | export | sth | key`: the log's operator and auditor commands."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service
from backend.audit.export import export_bundle
from backend.audit.history import head_out
from backend.audit.keys import ALGORITHM, load_signer, public_keys, public_pem
from backend.audit.leaf import format_time
from backend.audit.verify import Report, SignedHead, verify_log
from backend.config import Settings
from backend.core.clock import utcnow
from backend.db.engine import make_engine, make_sessionmaker, transaction


@asynccontextmanager
async def snapshot(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A read-only session on one consistent snapshot while appenders carry on."""
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            if settings.is_sqlite:
                await conn.exec_driver_sql("BEGIN")  # WAL: the snapshot holds until rollback
            else:
                await conn.execution_options(isolation_level="REPEATABLE READ")
            async with AsyncSession(bind=conn) as db:
                yield db
            await conn.rollback()
    finally:
        await engine.dispose()


def saved_heads(paths: list[Path]) -> list[SignedHead]:
    """Tree heads an auditor kept (JSON of GET /api/audit/sth, one object or a list)."""
    out = []
    for path in paths:
        data = json.loads(path.read_text())
        for i, h in enumerate(data if isinstance(data, list) else [data]):
            out.append(
                SignedHead(
                    f"{path.name}[{i}]",
                    int(h["tree_size"]),
                    int(h["timestamp"]),
                    base64.b64decode(h["sha256_root_hash"]),
                    h["key_id"],
                    base64.b64decode(h["tree_head_signature"]),
                )
            )
    return out


def print_report(report: Report) -> None:
    print("审计日志校验 audit log verification")
    print(f"  {'entries':<22}{report.entries:>12,}")
    print(f"  {'stored subtrees':<22}{report.subtrees:>12,}")
    print(
        f"  {'signed tree heads':<22}{report.tree_heads:>12,}  (verified up to size {report.signed_size:,})"
    )
    print(f"  {'time':<22}{report.seconds:>12.1f} s")
    first = report.first()
    if first is None:
        print("OK: every entry, stored subtree and signed tree head matches")
        if report.signed_size < report.entries:
            print(f"note: entries #{report.signed_size}… await a signed tree head (tezuo audit sth)")
        return
    print(f"FAIL: {first}")
    rest = report.ordered()[1:20]
    if rest:
        print("further findings:")
        for problem in rest:
            print(f"  - {problem}")


async def verify(settings: Settings, heads: list[Path]) -> int:
    keys = public_keys(settings.keys_dir)
    async with snapshot(settings) as db:
        report = await verify_log(db, keys, saved_heads(heads))
    print_report(report)
    return 0 if report.ok else 1


async def export(settings: Settings, out: Path) -> int:
    async with snapshot(settings) as db:
        entries, heads = await export_bundle(db, settings.keys_dir, out, format_time(utcnow()))
    print(f"exported {entries:,} entries and {heads:,} signed tree heads to {out}")
    print(f"check it anywhere with: python3 tools/verify_audit_bundle.py {out}")
    return 0


async def issue(settings: Settings, force: bool) -> int:
    engine = make_engine(settings.database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            refresh = timedelta(0) if force else service.HEAD_REFRESH
            sth, issued = await service.issue_tree_head(
                db, load_signer(settings.keys_dir), utcnow(), refresh=refresh
            )
            out = head_out(sth)
    finally:
        await engine.dispose()
    print(msgspec.json.encode(out).decode())
    print("issued a new signed tree head" if issued else "the latest signed tree head still covers the log")
    return 0


def key(settings: Settings) -> int:
    signer = load_signer(settings.keys_dir)
    print(f"key_id: {signer.key_id}\nalgorithm: {ALGORITHM}")
    print(public_pem(signer.public_key), end="")
    return 0
