"""RFC 6962 Merkle tree hashing, compact ranges and proof shapes; no storage, no I/O.

Leaves hash as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left || right)
(RFC 6962 §2.1). Every subtree a proof needs is an *aligned* range [lo, hi) that splits into
perfect subtrees (level, index) covering leaves [index·2^level, (index+1)·2^level); the store
keeps one hash per perfect subtree, so a proof is a handful of look-ups at any log size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

Piece = tuple[int, int]  # (level, index) of a perfect subtree
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256() (RFC 6962 §2.1)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """k: the largest power of two smaller than n (n ≥ 2), where RFC 6962 splits D[n]."""
    return 1 << ((n - 1).bit_length() - 1)


def pieces(lo: int, hi: int) -> list[Piece]:
    """The perfect subtrees that make up the aligned range [lo, hi), left to right."""
    out: list[Piece] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo % (1 << level):
            raise ValueError(f"range [{lo}, {hi}) is not aligned")
        out.append((level, lo >> level))
        lo += 1 << level
    return out


def fold(hashes: list[bytes]) -> bytes:
    """MTH of consecutive perfect subtrees of decreasing size: a right fold (RFC 6962 §2.1)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The subtrees of PATH(m, D[n]) (RFC 6962 §2.1.1), deepest sibling first."""
    if not 0 <= m < n:
        raise ValueError(f"leaf {m} is not in a tree of size {n}")
    siblings: list[tuple[int, int]] = []
    lo, hi = 0, n
    while hi - lo > 1:
        k = split(hi - lo)
        if m - lo < k:
            siblings.append((lo + k, hi))
            hi = lo + k
        else:
            siblings.append((lo, lo + k))
            lo += k
    return siblings[::-1]


def consistency_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The subtrees of PROOF(m, D[n]) (RFC 6962 §2.1.2) for 0 < m ≤ n, in proof order."""
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    siblings: list[tuple[int, int]] = []
    lo, hi, whole = 0, n, True
    while hi != m:
        k = split(hi - lo)
        if m - lo <= k:
            siblings.append((lo + k, hi))
            hi = lo + k
        else:
            siblings.append((lo, lo + k))
            lo += k
            whole = False
    return ([] if whole else [(lo, hi)]) + siblings[::-1]


def range_hash(lo: int, hi: int, lookup: Callable[[Piece], bytes]) -> bytes:
    return fold([lookup(p) for p in pieces(lo, hi)])


def root_from_path(leaf: bytes, m: int, n: int, path: list[bytes]) -> bytes:
    """The root an audit path leads to: each sibling lies wholly left or right of leaf m."""
    h = leaf
    ranges = inclusion_ranges(m, n)
    if len(ranges) != len(path):
        raise ValueError("audit path has the wrong length")
    for (_, hi), sibling in zip(ranges, path, strict=True):
        h = node_hash(sibling, h) if hi <= m else node_hash(h, sibling)
    return h


def pieces_of(ranges: Iterable[tuple[int, int]]) -> set[Piece]:
    return {p for lo, hi in ranges for p in pieces(lo, hi)}


def node_count(size: int) -> int:
    """How many perfect subtrees of level ≥ 1 a log of `size` leaves has: Σ⌊n/2^l⌋ = n − popcount(n)."""
    return size - size.bit_count()


class CompactRange:
    """The right edge of the tree: one hash per set bit of `size`, largest subtree first.

    Appending a leaf merges equal-sized subtrees and reports every perfect subtree it completes,
    which is what the store persists; the root is a fold of the edge (RFC 9162 §2.1.1).
    """

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()):
        self.size = size
        self.hashes = list(hashes)
        if len(self.hashes) != size.bit_count():
            raise ValueError("compact range does not match its size")

    @classmethod
    def from_bytes(cls, size: int, blob: bytes) -> CompactRange:
        return cls(size, [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)])

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the (level, index, hash) of subtrees it completed (level ≥ 1)."""
        return self.append_subtree(leaf, 0)

    def append_subtree(self, h: bytes, level: int) -> list[tuple[int, int, bytes]]:
        """Add a perfect subtree of 2^level leaves (the size must be a multiple of 2^level)."""
        if self.size % (1 << level):
            raise ValueError("subtree is not aligned with the compact range")
        completed: list[tuple[int, int, bytes]] = []
        added, index = 1 << level, self.size >> level
        while index & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            index >>= 1
            completed.append((level, index, h))
        self.hashes.append(h)
        self.size += added
        return completed

    def root(self) -> bytes:
        return fold(self.hashes)

    def pieces(self) -> list[Piece]:
        return pieces(0, self.size)
