"""`tezuo audit export`: a bundle a third party verifies with tools/verify_audit_bundle.py.

JSON Lines (gzip if the name ends in .gz): line 1 is the header (format, public keys, every
signed tree head), then one line per entry in leaf order with every field its leaf commits to.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import IO, Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.history import b64, head_out
from backend.audit.keys import ALGORITHM, public_keys, public_pem
from backend.audit.leaf import format_time
from backend.audit.models import TreeHead
from backend.audit.rows import ENTRY_COLUMNS
from backend.audit.service import entries_t, log_size
from backend.audit.verify import COLUMNS

FORMAT = "tezuo-audit-bundle/1"
CHUNK = 10_000


def entry_json(row: Any) -> dict[str, Any]:
    return {
        "leaf_index": row[0],
        "time": format_time(row[1]),
        "actor": str(row[2]) if row[2] else None,
        "action": row[3],
        "entity": row[4],
        "entity_id": row[5],
        "entity_version": row[6],
        "details": row[7],
        "details_digest": row[8],
        "evidence": dict(zip(ENTRY_COLUMNS[9:15], row[9:15], strict=True)),
        "evidence_digest": row[15],
        "leaf_hash": b64(row[16]),
    }


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "wb"), encoding="utf-8")
    return path.open("w", encoding="utf-8")


async def export_bundle(db: AsyncSession, keys_dir: Path, out: Path, exported_at: str) -> tuple[int, int]:
    """Write the bundle; returns (entries, tree heads). Read inside one snapshot for consistency."""
    heads = (await db.scalars(select(TreeHead).order_by(TreeHead.id))).all()
    size = await log_size(db)
    header = {
        "format": FORMAT,
        "exported_at": exported_at,
        "log_size": size,
        "public_keys": [
            {"key_id": kid, "signature_algorithm": ALGORITHM, "public_key_pem": public_pem(key)}
            for kid, key in public_keys(keys_dir).items()
        ],
        "tree_heads": [msgspec.to_builtins(head_out(h)) for h in heads],
    }
    written, last = 0, -1
    with _open(out) as fh:
        fh.write(json.dumps(header, ensure_ascii=False) + "\n")
        while True:
            query = (
                select(*COLUMNS)
                .where(entries_t.c.leaf_index > last, entries_t.c.leaf_index < size)
                .order_by(entries_t.c.leaf_index)
                .limit(CHUNK)
            )
            rows = (await db.execute(query)).all()
            if not rows:
                break
            fh.writelines(json.dumps(entry_json(r), ensure_ascii=False) + "\n" for r in rows)
            written += len(rows)
            last = rows[-1][0]
    return written, len(heads)
