"""More ways to tamper, checked in-process: digests, forged leaf hashes, a full rewrite that only
the signatures catch, truncation, appends behind the log's back, forged tree heads."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, text, update

from backend.audit import merkle
from backend.audit.keys import public_keys
from backend.audit.models import node_key
from backend.audit.rows import leaf_of as _leaf
from backend.audit.service import entries_t, head_t, nodes_t
from backend.audit.verify import COLUMNS, verify_log
from backend.db.engine import transaction
from tests.backend.audit.helpers import build_log, sql

SHIFT = 1_000_000


async def _verify(sessionmaker, settings):
    async with sessionmaker() as db:
        return await verify_log(db, public_keys(settings.keys_dir))


async def _rewrite_leaf(sessionmaker, index: int, **changes: object) -> None:
    """Change a row and give it a correct leaf hash, as an attacker who read our code would."""
    async with transaction(sessionmaker) as db:
        await db.execute(update(entries_t).where(entries_t.c.leaf_index == index).values(**changes))
        row = (await db.execute(select(*COLUMNS).where(entries_t.c.leaf_index == index))).one()
        await db.execute(
            update(entries_t).where(entries_t.c.leaf_index == index).values(leaf_hash=_leaf(row, index))
        )


async def test_changed_details_are_caught_by_their_digest(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    async with transaction(sessionmaker) as db:
        await db.execute(update(entries_t).where(entries_t.c.leaf_index == 9).values(details={"step": 99}))
    report = await _verify(sessionmaker, settings)
    assert not report.ok and report.first().kind == "altered" and report.first().leaf_index == 9
    assert "details" in report.first().detail


async def test_a_forged_leaf_hash_is_located_by_the_stored_subtrees(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    await _rewrite_leaf(sessionmaker, 17, action="permit.reject")
    report = await _verify(sessionmaker, settings)
    first = report.first()
    assert first.kind == "subtree" and "#16–#17" in first.detail
    assert any(p.kind == "tree_head" and "#16–#39" in p.detail for p in report.problems)
    assert report.signed_size == 16


async def test_a_full_rewrite_is_still_refused_by_the_signed_heads(sessionmaker, settings, clock):
    """Rows, leaf hashes, stored subtrees and the log head all recomputed: only signatures remain."""
    await build_log(sessionmaker, settings, clock)
    await _rewrite_leaf(sessionmaker, 5, entity_version=9)
    async with transaction(sessionmaker) as db:
        edge, nodes = merkle.CompactRange(), []
        for (h,) in await db.execute(select(entries_t.c.leaf_hash).order_by(entries_t.c.leaf_index)):
            nodes += [{"node_key": node_key(lv, i), "hash": n} for lv, i, n in edge.append(h)]
        await db.execute(delete(nodes_t))
        await db.execute(insert(nodes_t), nodes)
        await db.execute(update(head_t).values(frontier=edge.to_bytes(), root_hash=edge.root()))
    report = await _verify(sessionmaker, settings)
    kinds = {p.kind for p in report.problems}
    assert kinds == {"tree_head"} and len(report.problems) == 2  # both signed heads disagree
    assert report.first().leaf_index == 0 and report.signed_size == 0


async def test_truncating_the_end_is_caught(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    await sql(sessionmaker, "DELETE FROM audit_entries WHERE leaf_index >= 38")
    report = await _verify(sessionmaker, settings)
    assert report.first().kind == "removed" and report.first().leaf_index == 38


async def test_a_removal_hidden_by_renumbering_is_named(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    await sql(
        sessionmaker,
        "DELETE FROM audit_entries WHERE leaf_index = 20",
        f"UPDATE audit_entries SET leaf_index = leaf_index + {SHIFT} WHERE leaf_index > 20",
        f"UPDATE audit_entries SET leaf_index = leaf_index - {SHIFT} - 1 WHERE leaf_index >= {SHIFT}",
    )
    report = await _verify(sessionmaker, settings)
    assert report.first().kind == "removed" and report.first().leaf_index == 20, report.ordered()


async def test_an_append_behind_the_logs_back_is_named(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    async with transaction(sessionmaker) as db:
        row = (await db.execute(select(*COLUMNS).where(entries_t.c.leaf_index == 3))).one()
        values = dict(zip([c.name for c in COLUMNS], row, strict=True))
        await db.execute(insert(entries_t).values({**values, "leaf_index": 40, "leaf_hash": _leaf(row, 40)}))
    report = await _verify(sessionmaker, settings)
    assert report.first().kind == "inserted" and report.first().leaf_index == 40


async def test_a_forged_tree_head_fails_its_signature(sessionmaker, settings, clock):
    await build_log(sessionmaker, settings, clock)
    async with transaction(sessionmaker) as db:
        await db.execute(text("UPDATE audit_tree_heads SET tree_size = 39 WHERE tree_size = 40"))
    report = await _verify(sessionmaker, settings)
    assert [p.kind for p in report.problems] == ["signature"]
