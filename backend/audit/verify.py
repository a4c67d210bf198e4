"""`tezuo audit verify`: recompute every leaf, every stored subtree and every signed tree head.

Entries are read in leaf order, 2^16 at a time. Each row's digests and leaf hash are recomputed
from its columns; a row whose leaf hash no longer matches is then explained, if it can be, as
moved (reordered), shifted by an insertion or a removal, or else altered. The recomputed leaves
build the tree chunk by chunk; every stored perfect subtree and every signed head is compared
with it, so a rewrite that also forged the leaf hash is still caught and located.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import merkle
from backend.audit.keys import tree_head_payload, verify_signature
from backend.audit.models import TreeHead, node_key
from backend.audit.rows import ENTRY_COLUMNS, check_rows, describe, leaf_of
from backend.audit.service import HEAD_ID, entries_t, head_t, nodes_t

CHUNK_LEVEL = 16
CHUNK = 1 << CHUNK_LEVEL
MAX_SUSPECTS = 10_000
ENTRY_KINDS = ("altered", "removed", "inserted", "reordered")
COLUMNS = [entries_t.c[name] for name in ENTRY_COLUMNS]


@dataclass(frozen=True)
class Problem:
    kind: str  # altered | removed | inserted | reordered | subtree | tree_head | signature | log_head
    leaf_index: int | None
    detail: str

    def __str__(self) -> str:
        where = f"entry #{self.leaf_index}" if self.leaf_index is not None else "log"
        return f"{self.kind.upper()} {where}: {self.detail}"


@dataclass(frozen=True)
class SignedHead:
    label: str  # "tree head #12", or where an auditor's saved head came from
    tree_size: int
    timestamp_ms: int
    root_hash: bytes
    key_id: str
    signature: bytes


@dataclass
class Report:
    entries: int = 0
    tree_heads: int = 0
    subtrees: int = 0
    signed_size: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def ordered(self) -> list[Problem]:
        """Entry problems first, earliest first; then what the tree and the heads say."""
        return sorted(
            self.problems,
            key=lambda p: (p.kind not in ENTRY_KINDS, p.leaf_index if p.leaf_index is not None else 1 << 62),
        )

    def first(self) -> Problem | None:
        return next(iter(self.ordered()), None)


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    levels = [leaves]
    while len(levels[-1]) >= 2:
        prev = levels[-1]
        levels.append([merkle.node_hash(prev[i], prev[i + 1]) for i in range(0, len(prev) - 1, 2)])
    return levels


def _classify(suspects: list[Sequence[Any]]) -> list[Problem]:
    """Explain rows whose leaf hash no longer matches: moved, shifted by one, or altered."""
    at = {row[0]: row for row in suspects}
    shape: dict[int, tuple[str, int]] = {}
    for row in suspects:
        i = row[0]
        if i > 0 and leaf_of(row, i - 1) == row[16]:
            shape[i] = ("up", i - 1)
        elif leaf_of(row, i + 1) == row[16]:
            shape[i] = ("down", i + 1)
        else:
            home = next((j for j in at if j != i and leaf_of(row, j) == row[16]), None)
            shape[i] = ("moved", home) if home is not None else ("altered", i)
    problems = []
    for row in suspects:
        i = row[0]
        kind, j = shape[i]
        if kind == "up" and shape.get(i - 1, ("",))[0] != "up":
            problems.append(
                Problem(
                    "inserted",
                    i - 1,
                    f"a foreign entry sits at #{i - 1}; from #{i} on, "
                    f"entries were renumbered up (#{i} was recorded as #{j})",
                )
            )
        elif kind == "down" and shape.get(i - 1, ("",))[0] != "down":
            problems.append(
                Problem(
                    "removed",
                    i,
                    f"the entry recorded as #{i} is gone; from #{i} on, "
                    f"entries were renumbered down (#{i} was recorded as #{j})",
                )
            )
        elif kind == "moved":
            problems.append(Problem("reordered", i, f"it holds the entry recorded as #{j} ({describe(row)})"))
        elif kind == "altered" and shape.get(i + 1, ("",))[0] != "up":
            problems.append(Problem("altered", i, f"it no longer matches its leaf hash ({describe(row)})"))
    return problems


async def _stored_heads(db: AsyncSession) -> list[SignedHead]:
    rows = (await db.scalars(select(TreeHead).order_by(TreeHead.id))).all()
    return [
        SignedHead(f"tree head #{h.id}", h.tree_size, h.timestamp_ms, h.root_hash, h.key_id, h.signature)
        for h in rows
    ]


class _Subtrees:
    """Compares stored perfect subtrees with recomputed ones; keeps the smallest, earliest mismatch
    (one rewritten leaf spoils its whole ancestor chain; the lowest ancestor locates it best)."""

    def __init__(self, db: AsyncSession, report: Report):
        self.db, self.report = db, report
        self.first: tuple[int, int] | None = None  # (level, index)

    async def compare(self, level: int, start: int, hashes: list[bytes]) -> None:
        lo, hi = node_key(level, start), node_key(level, start + len(hashes) - 1)
        rows = await self.db.execute(
            select(nodes_t.c.node_key, nodes_t.c.hash).where(nodes_t.c.node_key.between(lo, hi))
        )
        stored = dict(rows.all())
        self.report.subtrees += len(hashes)
        for offset, h in enumerate(hashes):
            if stored.get(lo + offset) != h:
                self.first = min(self.first or (level, start + offset), (level, start + offset))
                break

    def finish(self) -> None:
        if self.first is not None:
            level, index = self.first
            leaf, last = index << level, ((index + 1) << level) - 1
            self.report.problems.append(
                Problem(
                    "subtree",
                    leaf,
                    f"the stored subtree over entries #{leaf}–#{last} does not match them: one of these "
                    "was rewritten together with its leaf hash, or the subtree itself was altered",
                )
            )


async def _fetch(db: AsyncSession, after: int | None) -> list[tuple[Any, ...]]:
    query = select(*COLUMNS).order_by(entries_t.c.leaf_index).limit(CHUNK)
    if after is not None:
        query = query.where(entries_t.c.leaf_index > after)
    return [tuple(row) for row in await db.execute(query)]


def _misnumbered(expected: int, index: int) -> Problem:
    if index > expected:
        gap = f"#{expected}" if index == expected + 1 else f"#{expected}–#{index - 1}"
        return Problem("removed", expected, f"entries {gap} are missing")
    return Problem("inserted", index, "a row outside the log's numbering")


async def verify_log(
    db: AsyncSession,
    keys: dict[str, ec.EllipticCurvePublicKey],
    extra_heads: Iterable[SignedHead] = (),
) -> Report:
    """Check the whole log against itself and against every signed tree head."""
    started = time.perf_counter()
    report = Report()
    heads = await _stored_heads(db) + list(extra_heads)
    report.tree_heads = len(heads)
    good: list[SignedHead] = []
    for sth in heads:
        key = keys.get(sth.key_id)
        payload = tree_head_payload(sth.timestamp_ms, sth.tree_size, sth.root_hash)
        if key is None or not verify_signature(key, payload, sth.signature):
            why = f"signed by unknown key {sth.key_id}" if key is None else "its signature is invalid"
            report.problems.append(Problem("signature", None, f"{sth.label} (size {sth.tree_size}): {why}"))
        else:
            good.append(sth)
    good.sort(key=lambda h: h.tree_size)
    roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
    subtrees = _Subtrees(db, report)
    edge = merkle.CompactRange()  # subtrees of level ≥ CHUNK_LEVEL left of the current chunk
    suspects: list[Sequence[Any]] = []
    position, numbered = 0, True
    waiting = [h for h in good if h.tree_size > 0]
    rows = await _fetch(db, None)
    while rows:
        leaves, issues = check_rows(rows)
        for offset, issue in issues:
            report.problems.append(Problem("altered", rows[offset][0], issue))
        for offset, row in enumerate(rows):
            index = row[0]
            if numbered and index != position + offset:
                numbered = False
                report.problems.append(_misnumbered(position + offset, index))
            if leaves[offset] != row[16] and len(suspects) < MAX_SUSPECTS:
                suspects.append(row)
        levels = _levels(leaves)
        for level in range(1, len(levels)):
            await subtrees.compare(level, position >> level, levels[level])
        while waiting and waiting[0].tree_size <= position + len(rows):
            size = waiting.pop(0).tree_size
            inner = [levels[lv][i] for lv, i in merkle.pieces(0, size - position)]
            roots[size] = merkle.fold(edge.hashes + inner)
        if len(rows) < CHUNK:
            tail = [levels[lv][i] for lv, i in merkle.pieces(0, len(rows))]
            edge = merkle.CompactRange(position + len(rows), edge.hashes + tail)
        else:
            for level, index, h in edge.append_subtree(levels[CHUNK_LEVEL][0], CHUNK_LEVEL):
                await subtrees.compare(level, index, [h])
        position += len(rows)
        rows = await _fetch(db, rows[-1][0]) if len(rows) == CHUNK else []
    report.entries = position
    subtrees.finish()
    report.problems.extend(_classify(suspects))
    _check_heads(report, good, roots, position)
    await _check_log_head(db, report, edge, position)
    report.seconds = time.perf_counter() - started
    return report


def _check_heads(report: Report, good: list[SignedHead], roots: dict[int, bytes], total: int) -> None:
    matched = 0
    for h in good:
        if h.tree_size > total:
            report.problems.append(
                Problem("removed", total, f"{h.label} signed {h.tree_size} entries but only {total} exist")
            )
        elif roots[h.tree_size] != h.root_hash:
            report.problems.append(
                Problem(
                    "tree_head",
                    matched,
                    f"{h.label} (size {h.tree_size}) does not match the entries: one of #{matched}–"
                    f"#{h.tree_size - 1} changed after it was signed",
                )
            )
        else:
            matched = max(matched, h.tree_size)
    report.signed_size = matched


async def _check_log_head(db: AsyncSession, report: Report, edge: merkle.CompactRange, total: int) -> None:
    head = (
        await db.execute(
            select(head_t.c.size, head_t.c.frontier, head_t.c.root_hash).where(head_t.c.id == HEAD_ID)
        )
    ).first()
    size, frontier, root = head if head else (0, b"", merkle.EMPTY_ROOT)
    if size > total:
        report.problems.append(
            Problem("removed", total, f"the log head counts {size} entries, {total} remain")
        )
    elif size < total:
        report.problems.append(Problem("inserted", size, f"entries from #{size} on lie beyond the log head"))
    elif frontier != edge.to_bytes() or root != edge.root():
        report.problems.append(
            Problem("log_head", None, "the log head's root or edge does not match the entries")
        )
    nodes = await db.scalar(select(func.count()).select_from(nodes_t)) or 0
    if nodes != merkle.node_count(total):
        report.problems.append(
            Problem("subtree", None, f"{nodes} stored subtrees where {merkle.node_count(total)} are expected")
        )
