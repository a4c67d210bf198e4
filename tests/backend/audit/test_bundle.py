"""`tezuo audit export` and the standalone tools/verify_audit_bundle.py: a third party checks the
bundle, and every kind of tampering with it — or a swapped key — makes the script fail."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.backend.audit.helpers import build_log, script, tezuo


async def _export(sessionmaker, settings, clock, tmp_path: Path, name: str = "bundle.jsonl") -> Path:
    await build_log(sessionmaker, settings, clock)
    out = tmp_path / name
    res = await tezuo(settings, "audit", "export", str(out))
    assert res.returncode == 0, res.stderr
    return out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_an_exported_bundle_verifies_with_the_standalone_script(
    sessionmaker, settings, clock, tmp_path
):
    bundle = await _export(sessionmaker, settings, clock, tmp_path, "bundle.jsonl.gz")
    key_id = (await tezuo(settings, "audit", "key")).stdout.split()[1]
    res = await script(str(bundle), "--key-id", key_id)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("OK: 40 entries; 2 signed tree heads checked, covering 40 entries")
    res = await script(str(bundle), "--key-id", base64.b64encode(bytes(32)).decode())
    assert res.returncode == 1 and "not a trusted key" in res.stdout


async def test_tampered_bundles_fail_and_name_the_entry(sessionmaker, settings, clock, tmp_path):
    lines = _lines(await _export(sessionmaker, settings, clock, tmp_path))
    header, entries = lines[0], lines[1:]

    edited = json.loads(entries[17])
    edited["action"] = "permit.reject"
    cases = {
        "modified": (
            [header, *entries[:17], json.dumps(edited, ensure_ascii=False), *entries[18:]],
            "entry #17 altered",
        ),
        "deleted": ([header, *entries[:20], *entries[21:]], "entry #20 is missing"),
        "inserted": ([header, *entries[:10], entries[3], *entries[10:]], "entry #3 appears twice"),
        "reordered": (
            [header, *entries[:12], entries[25], *entries[13:25], entries[12], *entries[26:]],
            "entry #12 is out of place",
        ),
    }
    for name, (tampered, expected) in cases.items():
        res = await script(str(_write(tmp_path / f"{name}.jsonl", tampered)))
        assert res.returncode == 1, name
        assert res.stdout.startswith("FAIL:") and expected in res.stdout, (name, res.stdout)


async def test_forged_heads_and_substituted_keys_fail(sessionmaker, settings, clock, tmp_path):
    lines = _lines(await _export(sessionmaker, settings, clock, tmp_path))
    header = json.loads(lines[0])
    real_key = header["public_keys"][0]["key_id"]
    header["tree_heads"][0]["tree_size"] = 15
    res = await script(str(_write(tmp_path / "forged.jsonl", [json.dumps(header), *lines[1:]])))
    assert res.returncode == 1 and "invalid signature" in res.stdout

    # a forger with a key of their own re-signs the heads: only pinning the real key catches it
    header = json.loads(lines[0])
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged_id = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    header["public_keys"] = [
        {"key_id": forged_id, "signature_algorithm": "ecdsa-p256-sha256", "public_key_pem": pem.decode()}
    ]
    for head in header["tree_heads"]:
        signed = struct.pack(">BBQQ", 0, 1, head["timestamp"], head["tree_size"])
        r, s = decode_dss_signature(
            key.sign(signed + base64.b64decode(head["sha256_root_hash"]), ec.ECDSA(hashes.SHA256()))
        )
        head["tree_head_signature"] = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
        head["key_id"] = forged_id
    bundle = _write(tmp_path / "resigned.jsonl", [json.dumps(header), *lines[1:]])
    assert (await script(str(bundle))).returncode == 0  # self-consistent …
    res = await script(str(bundle), "--key-id", real_key)
    assert res.returncode == 1 and "not a trusted key" in res.stdout  # … but not signed by our key


async def test_heads_an_auditor_saved_are_checked_too(sessionmaker, settings, clock, tmp_path):
    bundle = await _export(sessionmaker, settings, clock, tmp_path)
    saved = json.loads(_lines(bundle)[0])["tree_heads"][0]
    (tmp_path / "sth.json").write_text(json.dumps(saved))
    assert (await script(str(bundle), "--heads", str(tmp_path / "sth.json"))).returncode == 0
    saved["sha256_root_hash"] = base64.b64encode(bytes(32)).decode()
    (tmp_path / "sth.json").write_text(json.dumps(saved))
    res = await script(str(bundle), "--heads", str(tmp_path / "sth.json"))
    assert res.returncode == 1 and "saved head 0" in res.stdout
