#!/usr/bin/env python3
"""Check a Tezuo audit-log bundle without trusting Tezuo: Python's standard library + `cryptography`.

    python3 verify_audit_bundle.py BUNDLE [--key-id KEY_ID | --public-key KEY.pem] [--heads STH.json ...]

The bundle (from `tezuo audit export`) is JSON Lines, gzip if it ends in .gz: a header with the
log's public keys and signed tree heads, then one entry per line. This script recomputes each
entry's digests and RFC 6962 leaf hash, rebuilds the Merkle tree, and checks every signed tree
head (and any you saved yourself with --heads) against it. Pin the key you were given out of band
with --key-id or --public-key: a bundle signed by any other key then fails.
Exit status 0: everything checks out. 1: the first problem is named. 2: unreadable input.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import struct
import sys
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

FORMAT = "tezuo-audit-bundle/1"


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def canonical(value: Any) -> bytes:
    """UTF-8 JSON, keys sorted, no spaces; floats are not allowed in the log."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_hash(entry: dict[str, Any]) -> bytes:
    """SHA-256(0x00 || leaf) where the leaf commits to the entry's fields and both digests."""
    leaf = {
        "action": entry["action"],
        "actor": entry["actor"],
        "details": entry["details_digest"],
        "entity": entry["entity"],
        "entity_id": entry["entity_id"],
        "entity_version": entry["entity_version"],
        "evidence": entry["evidence_digest"],
        "index": entry["leaf_index"],
        "time": entry["time"],
        "v": 1,
    }
    return sha256(b"\x00" + canonical(leaf))


class Tree:
    """The right edge of an RFC 6962 tree: enough to know the root after every leaf."""

    def __init__(self) -> None:
        self.size = 0
        self.edge: list[bytes] = []

    def add(self, h: bytes) -> None:
        n = self.size
        while n & 1:
            h = sha256(b"\x01" + self.edge.pop() + h)
            n >>= 1
        self.edge.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.edge:
            return sha256(b"")
        r = self.edge[-1]
        for h in reversed(self.edge[:-1]):
            r = sha256(b"\x01" + h + r)
        return r


def key_id(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(sha256(der)).decode()


def signature_ok(key: ec.EllipticCurvePublicKey, head: dict[str, Any]) -> bool:
    """ECDSA P-256 / SHA-256 over the RFC 6962 §3.5 TreeHeadSignature; the signature is raw r||s."""
    root = base64.b64decode(head["sha256_root_hash"])
    payload = struct.pack(">BBQQ", 0, 1, int(head["timestamp"]), int(head["tree_size"])) + root
    sig = base64.b64decode(head["tree_head_signature"])
    if len(sig) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        key.verify(der, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def check(lines: Any, pinned: str | None, saved: list[dict[str, Any]]) -> tuple[list[str], str]:
    header = json.loads(next(lines))
    if header.get("format") != FORMAT:
        return [f"not a {FORMAT} bundle"], ""
    keys = {}
    for item in header["public_keys"]:
        key = serialization.load_pem_public_key(item["public_key_pem"].encode())
        if not isinstance(key, ec.EllipticCurvePublicKey) or key_id(key) != item["key_id"]:
            return [f"public key {item['key_id']} does not match its id"], ""
        keys[item["key_id"]] = key
    if pinned is not None:
        keys = {k: v for k, v in keys.items() if k == pinned}
    problems: list[str] = []
    heads = []
    for label, head in [(f"tree head {i}", h) for i, h in enumerate(header["tree_heads"])] + [
        (f"saved head {i}", h) for i, h in enumerate(saved)
    ]:
        key = keys.get(head["key_id"])
        if key is None:
            problems.append(
                f"{label} (size {head['tree_size']}) is signed by key {head['key_id']}, not a trusted key"
            )
        elif not signature_ok(key, head):
            problems.append(f"{label} (size {head['tree_size']}) has an invalid signature")
        else:
            heads.append((int(head["tree_size"]), base64.b64decode(head["sha256_root_hash"]), label))
    heads.sort()
    tree = Tree()
    roots = {0: tree.root()}
    wanted = {size for size, _, _ in heads}
    seen: set[int] = set()
    twice: set[int] = set()
    misplaced: tuple[int, int] | None = None  # (line position, the index found there)
    altered: tuple[int, str] | None = None
    for position, line in enumerate(lines):
        entry = json.loads(line)
        index = entry["leaf_index"]
        (twice if index in seen else seen).add(index)
        if misplaced is None and index != position:
            misplaced = (position, index)
        h = leaf_hash(entry)
        if altered is None:
            if sha256(canonical(entry["details"])).hex() != entry["details_digest"]:
                altered = (position, f"entry #{index} altered: its details do not match their digest")
            elif sha256(canonical(entry["evidence"])).hex() != entry["evidence_digest"]:
                altered = (position, f"entry #{index} altered: its client evidence does not match its digest")
            elif base64.b64encode(h).decode() != entry["leaf_hash"]:
                what = f"{entry['action']} at {entry['time']}"
                altered = (position, f"entry #{index} altered: it does not match its leaf hash ({what})")
        tree.add(h)
        if tree.size in wanted:
            roots[tree.size] = tree.root()
    if misplaced is not None:
        position, index = misplaced
        if index > position:
            why = "is out of place (reordered)" if position in seen else "is missing (removed)"
            order = (position, f"entry #{position} {why}; line {position + 2} holds entry #{index}")
        elif index in twice:
            order = (position, f"entry #{index} appears twice: line {position + 2} is an inserted copy")
        else:
            order = (position, f"entry #{index} is out of place at line {position + 2} (reordered)")
        altered = min(altered or order, order)
    if altered is not None:
        problems.insert(0, altered[1])
    verified = 0
    for size, root, label in heads:
        if size not in roots:
            problems.append(
                f"{label} signed {size} entries but the bundle holds {tree.size}: entries were removed"
            )
        elif roots[size] != root:
            problems.append(
                f"{label} (size {size}) does not match: an entry from #{verified} on changed after signing"
            )
        else:
            verified = max(verified, size)
    if header.get("log_size") != tree.size:
        problems.append(f"the header says {header.get('log_size')} entries, the bundle holds {tree.size}")
    summary = (
        f"{tree.size:,} entries; {len(heads):,} signed tree heads checked, covering {verified:,} entries"
    )
    if verified < tree.size:
        summary += f"; entries #{verified}… await a signed tree head"
    return problems, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path)
    pin = parser.add_mutually_exclusive_group()
    pin.add_argument("--key-id", help="trust only the log key with this id (base64 SHA-256 of its SPKI)")
    pin.add_argument("--public-key", type=Path, help="trust only this PEM public key")
    parser.add_argument("--heads", type=Path, action="append", default=[], help="tree heads you saved (JSON)")
    args = parser.parse_args(argv)
    pinned = args.key_id
    if args.public_key:
        key = serialization.load_pem_public_key(args.public_key.read_bytes())
        if not isinstance(key, ec.EllipticCurvePublicKey):
            print("error: --public-key is not an EC public key", file=sys.stderr)
            return 2
        pinned = key_id(key)
    saved: list[dict[str, Any]] = []
    for path in args.heads:
        data = json.loads(path.read_text())
        saved.extend(data if isinstance(data, list) else [data])
    opener = gzip.open if args.bundle.suffix == ".gz" else open
    try:
        with opener(args.bundle, "rt", encoding="utf-8") as fh:
            problems, summary = check(iter(fh), pinned, saved)
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        print(f"error: cannot read {args.bundle}: {exc!r}", file=sys.stderr)
        return 2
    if problems:
        print(f"FAIL: {problems[0]}")
        for more in problems[1:20]:
            print(f"  - {more}")
        return 1
    print(f"OK: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
