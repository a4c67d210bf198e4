"""Shared pieces of the audit tests: a small signed log, the `tezuo` command, raw SQL tampering."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import struct
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit import service
from backend.audit.keys import load_signer
from backend.audit.schemas import Evidence, Record
from backend.config import Settings
from backend.db.engine import transaction

TEZUO = Path(sys.executable).with_name("tezuo")
ROOT = Path(__file__).resolve().parents[3]


def item(i: int) -> Record:
    return Record(
        action="permit.approve" if i % 3 else "person.create",
        entity="permit" if i % 3 else "person",
        entity_id=str(uuid.UUID(int=i + 1)),
        entity_version=i % 5 + 1,
        actor_id=uuid.UUID(int=1000 + i % 7),
        details={"step": i, "note": f"第{i}步"},
        evidence=Evidence(channel="api", ip="10.0.0.7", user_agent="test", device_time=f"hlc-{i}"),
    )


async def build_log(
    maker: async_sessionmaker[AsyncSession], settings: Settings, clock: Any, n: int = 40
) -> None:
    """n entries in uneven batches, with signed tree heads at 16 and at n."""
    signer = load_signer(settings.keys_dir)
    done = 0
    for size in (1, 2, 5, 8, 3, 7, 14):
        size = min(size, n - done)
        if size <= 0:
            break
        async with transaction(maker) as db:
            await service.record_many(db, clock.advance(seconds=1), [item(done + i) for i in range(size)])
        done += size
        if done == 16:
            async with transaction(maker) as db:
                await service.issue_tree_head(db, signer, clock())
    if done < n:
        async with transaction(maker) as db:
            await service.record_many(db, clock.advance(seconds=1), [item(i) for i in range(done, n)])
    async with transaction(maker) as db:
        await service.issue_tree_head(db, signer, clock.advance(seconds=1))


async def sql(maker: async_sessionmaker[AsyncSession], *statements: str, **params: Any) -> None:
    """Tamper directly in the database, as someone with table rights would."""
    async with transaction(maker) as db:
        for statement in statements:
            await db.execute(text(statement), params)


def env_for(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "TEZUO_DATABASE_URL": settings.database_url,
        "TEZUO_DATA_DIR": str(settings.data_dir),
        "TEZUO_SECRET_KEY": settings.secret_key.decode(),
    }


async def tezuo(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real `tezuo` command against the test database."""
    return await asyncio.to_thread(
        subprocess.run,
        [str(TEZUO), *args],
        env=env_for(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def script(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the standalone bundle verifier with a bare interpreter environment."""
    tool = ROOT / "tools" / "verify_audit_bundle.py"
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, str(tool), *args], capture_output=True, text=True, timeout=120
    )


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_of_entry(e: dict[str, Any]) -> bytes:
    """The leaf as docs/SECURITY.md specifies it, recomputed from what the API shows."""
    assert hashlib.sha256(_canonical(e["details"])).hexdigest() == e["details_digest"]
    if e["evidence"] is not None:
        assert hashlib.sha256(_canonical(e["evidence"])).hexdigest() == e["evidence_digest"]
    fields = {
        "action": e["action"],
        "actor": e["actor_id"],
        "details": e["details_digest"],
        "entity": e["entity"],
        "entity_id": e["entity_id"],
        "entity_version": e["entity_version"],
        "evidence": e["evidence_digest"],
        "index": e["leaf_index"],
        "time": e["time"],
        "v": 1,
    }
    return hashlib.sha256(b"\x00" + _canonical(fields)).digest()


async def signed_head(client: Any) -> dict[str, Any]:
    """Issue a tree head and check its signature with the published key, independently."""
    sth = (await client.post("/api/audit/sth")).json()
    key = (await client.get("/api/audit/key")).json()
    public = serialization.load_pem_public_key(key["public_key_pem"].encode())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert sth["key_id"] == key["key_id"] == base64.b64encode(hashlib.sha256(spki).digest()).decode()
    root = base64.b64decode(sth["sha256_root_hash"])
    signed = struct.pack(">BBQQ", 0, 1, sth["timestamp"], sth["tree_size"]) + root
    raw = base64.b64decode(sth["tree_head_signature"])
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, signed, ec.ECDSA(hashes.SHA256()))  # raises if forged
    return sth
