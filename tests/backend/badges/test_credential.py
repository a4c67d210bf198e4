"""base45 against RFC 9285, COSE_Sign1 structure, the key store's rotation and revocation."""

from __future__ import annotations

import os
import uuid
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cbor2
import pytest

from backend.badges import base45, cose
from backend.badges.credential import PREFIX, Cert, Claims, epoch, issue
from backend.badges.keys import BadgeKeys
from backend.badges.verify import TrustError, load_trust_list, verify

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("plain", "encoded"),
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0")],
)
def test_base45_rfc9285_examples(plain: bytes, encoded: str) -> None:
    assert base45.encode(plain) == encoded
    assert base45.decode(encoded) == plain


@pytest.mark.parametrize("bad", ["GGW", "A", "abc", "ZZZZ"])
def test_base45_refuses(bad: str) -> None:
    with pytest.raises(base45.Base45Error):
        base45.decode(bad)


def test_base45_round_trip_all_byte_values() -> None:
    data = bytes(range(256)) + os.urandom(301)
    assert base45.decode(base45.encode(data)) == data


def claims(at: datetime, **over: object) -> Claims:
    base: dict[str, object] = {
        "issuer": "tezuo.test",
        "worker_id": uuid.uuid4(),
        "issued_at": epoch(at),
        "expires_at": epoch(at + timedelta(hours=24)),
        "name": "张伟",
        "certs": [Cert("mem", "mem:02-01", "T3101*********1234", date(2029, 1, 1))],
    }
    return Claims(**(base | over))  # type: ignore[arg-type]


def test_cose_sign1_layout(tmp_path: Path) -> None:
    keys = BadgeKeys(tmp_path, "tezuo.test")
    kid, key = keys.signer(T0)
    text = issue(claims(T0), bytes.fromhex(kid), key)
    assert text.startswith(PREFIX)
    raw = zlib.decompress(base45.decode(text[len(PREFIX) :]))
    tagged = cbor2.loads(raw)
    assert tagged.tag == 18
    protected, unprotected, payload, signature = tagged.value
    assert cbor2.loads(protected) == {1: -7, 4: bytes.fromhex(kid)}
    assert len(signature) == 64 and not unprotected
    # RFC 9052 §4.4: the signature is over ["Signature1", protected, external_aad, payload]
    msg = cose.parse(raw)
    expected = cbor2.dumps(["Signature1", protected, b"", payload])
    assert cose.sig_structure(msg.protected, msg.payload) == expected
    assert cose.verify(key.public_key(), msg)
    assert not cose.verify(key.public_key(), cose.Sign1(protected, msg.kid, payload + b"x", signature))


def test_keys_live_in_the_data_dir_private(tmp_path: Path) -> None:
    keys = BadgeKeys(tmp_path, "tezuo.test")
    kid, _ = keys.signer(T0)
    keys.trust_list(T0)
    pem = tmp_path / "badges" / "signers" / f"{kid}.pem"
    assert pem.exists() and (pem.stat().st_mode & 0o777) == 0o600
    assert ((tmp_path / "badges" / "root.pem").stat().st_mode & 0o777) == 0o600
    # a second store over the same dir uses the same key
    assert BadgeKeys(tmp_path, "tezuo.test").signer(T0)[0] == kid


def test_rotation_with_overlap_and_revocation(tmp_path: Path) -> None:
    keys = BadgeKeys(tmp_path, "tezuo.test")
    old_kid, old_key = keys.signer(T0)
    old_code = issue(claims(T0), bytes.fromhex(old_kid), old_key)
    new = keys.rotate(T0 + timedelta(hours=1), overlap=timedelta(hours=24))
    # during the overlap the old key still signs and the new one is already trusted
    assert keys.signer(T0 + timedelta(hours=2))[0] == old_kid
    trust = load_trust_list(keys.trust_list(T0 + timedelta(hours=2)), keys.root_public())
    assert {k.kid.hex() for k in trust.keys} == {old_kid, new.kid}
    after = T0 + timedelta(hours=26)
    assert keys.signer(after)[0] == new.kid
    trust = load_trust_list(keys.trust_list(after), keys.root_public())
    now = epoch(T0 + timedelta(hours=3))
    assert verify(old_code, trust, now).verdict in ("green", "amber")
    # the old key cannot sign new credentials: one it signs after its window is refused
    late = issue(claims(after), bytes.fromhex(old_kid), old_key)
    assert "key_not_valid_then" in {r["code"] for r in verify(late, trust, epoch(after)).reasons}
    keys.revoke(old_kid, T0 + timedelta(hours=4), "lost laptop")
    trust = load_trust_list(keys.trust_list(T0 + timedelta(hours=4)), keys.root_public())
    v = verify(old_code, trust, now)
    assert v.verdict == "red" and "key_revoked" in {r["code"] for r in v.reasons}


def test_trust_list_from_another_root_is_refused(tmp_path: Path) -> None:
    a, b = BadgeKeys(tmp_path / "a", "x"), BadgeKeys(tmp_path / "b", "x")
    with pytest.raises(TrustError):
        load_trust_list(a.trust_list(T0), b.root_public())


def test_six_certificates_fit_qr_version_15_at_ecc_m() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from backend.badges.bench import qr_version, six_certificates

    key = ec.generate_private_key(ec.SECP256R1())
    text = issue(six_certificates(T0), cose.key_id(key.public_key()), key)
    assert set(text) <= set(base45.ALPHABET)  # QR alphanumeric mode only
    assert qr_version(text) <= 15


def test_first_key_is_created_once_by_racing_processes(tmp_path: Path) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        kids = pool.map(_first_signer, [str(tmp_path)] * 8)
    assert len(set(kids)) == 1
    assert len(list((tmp_path / "badges" / "signers").glob("*.pem"))) == 1


def _first_signer(where: str) -> str:
    return BadgeKeys(Path(where), "tezuo.test").signer(T0)[0]
