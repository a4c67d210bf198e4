"""merkle.py against the independent RFC verifier: roots, stored subtrees, both kinds of proof."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.audit import merkle
from tests.backend.audit import rfc6962

DATA = [f"entry {i}".encode() for i in range(300)]


def _store(n: int) -> dict[merkle.Piece, bytes]:
    """What the database would hold for n leaves: leaf hashes and every completed subtree."""
    edge = merkle.CompactRange()
    stored = {}
    for i in range(n):
        h = merkle.leaf_hash(DATA[i])
        stored[(0, i)] = h
        for level, index, node in edge.append(h):
            stored[(level, index)] = node
    return stored


def test_roots_and_stored_subtrees_match_the_rfc_definition():
    edge = merkle.CompactRange()
    assert edge.root() == rfc6962.mth([])
    for n in range(1, 130):
        edge.append(merkle.leaf_hash(DATA[n - 1]))
        assert edge.root() == rfc6962.mth(DATA[:n])
    stored = _store(129)
    assert len(stored) - 129 == merkle.node_count(129)
    for (level, index), h in stored.items():
        assert h == rfc6962.mth(DATA[index << level : (index + 1) << level])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_inclusion_proofs_verify_independently(data):
    n = data.draw(st.integers(1, 300))
    m = data.draw(st.integers(0, n - 1))
    stored = _store(n)
    path = [merkle.range_hash(lo, hi, stored.__getitem__) for lo, hi in merkle.inclusion_ranges(m, n)]
    root = rfc6962.mth(DATA[:n])
    assert rfc6962.verify_inclusion(merkle.leaf_hash(DATA[m]), m, n, path, root)
    assert not rfc6962.verify_inclusion(merkle.leaf_hash(b"forged"), m, n, path, root)
    if path:
        bent = [*path[:-1], bytes(32)]
        assert not rfc6962.verify_inclusion(merkle.leaf_hash(DATA[m]), m, n, bent, root)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_independently(data):
    n = data.draw(st.integers(1, 300))
    m = data.draw(st.integers(1, n))
    stored = _store(n)
    proof = [merkle.range_hash(lo, hi, stored.__getitem__) for lo, hi in merkle.consistency_ranges(m, n)]
    old, new = rfc6962.mth(DATA[:m]), rfc6962.mth(DATA[:n])
    assert rfc6962.verify_consistency(m, n, old, new, proof)
    if m < n:
        forked = rfc6962.mth([*DATA[: m - 1], b"rewritten"])
        assert not rfc6962.verify_consistency(m, n, forked, new, proof)


def test_bad_requests_and_unaligned_ranges_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 4)
    with pytest.raises(ValueError):
        merkle.pieces(1, 3)
    with pytest.raises(ValueError):
        merkle.CompactRange(3, [bytes(32)])


def test_root_from_path_agrees_with_the_rfc_verifier():
    stored = _store(77)
    root = rfc6962.mth(DATA[:77])
    for m in range(77):
        path = [merkle.range_hash(lo, hi, stored.__getitem__) for lo, hi in merkle.inclusion_ranges(m, 77)]
        assert merkle.root_from_path(merkle.leaf_hash(DATA[m]), m, 77, path) == root
        assert rfc6962.verify_inclusion(merkle.leaf_hash(DATA[m]), m, 77, path, root)
    with pytest.raises(ValueError):
        merkle.root_from_path(root, 0, 77, [])
