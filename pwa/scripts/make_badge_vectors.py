"""Write src/badges/vectors.json: badge codes made by backend.badges, with the verdict each must get.

The Python verifier (tests/backend/badges/test_vectors.py) and the TypeScript one
(src/badges/verify.test.ts) both run every case. Keys are fixed scalars so a rerun changes only the
(randomised) ECDSA signatures. Run: `../.venv/bin/python scripts/make_badge_vectors.py`
(or `npm run badge-vectors`).
"""

from __future__ import annotations

import base64
import json
import uuid
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import cbor2
import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from backend.badges import base45, cose
from backend.badges.credential import Cert, Claims, issue, seal
from backend.badges.keys import KeyEntry, build_trust_list, raw_public
from backend.badges.verify import Synced, load_trust_list, verify

OUT = Path(__file__).resolve().parent.parent / "src" / "badges" / "vectors.json"
NOW = 1795852800  # 2026-11-28T08:00:00Z
H, D = 3600, 86400
ISSUER = "tezuo.example"
ALICE = uuid.UUID("0190f5a2-7c1e-7000-8000-00000000a11c")
BOB = uuid.UUID("0190f5a2-7c1e-7000-8000-0000000000b0")
NOBODY = uuid.UUID("0190f5a2-7c1e-7000-8000-00000000dead")


def key(n: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(0x7E2A0 + n * 0x1000193, ec.SECP256R1())


ROOT, OLD, CURRENT, REVOKED, STRANGER = (key(i) for i in range(5))
KID = {k: cose.key_id(k.public_key()) for k in (OLD, CURRENT, REVOKED, STRANGER)}
ENTRIES = [
    KeyEntry(kid=KID[OLD].hex(), nb=NOW - 400 * D, na=NOW - 10 * D),
    KeyEntry(kid=KID[CURRENT].hex(), nb=NOW - 10 * D),
    KeyEntry(kid=KID[REVOKED].hex(), nb=NOW - 30 * D, rv=NOW - D, reason="compromised"),
]
WELD = Cert("mem", "mem:02-01", "T3101*********1234", date(2029, 3, 1), date(2027, 3, 1))
ELEC = Cert("mem", "mem:01-02", "T3101*********1234", date(2028, 6, 30), None)
LAPSED = Cert("samr", "samr:Q1", "3101*****0042", date(2026, 10, 1), None)


def alice(**over: Any) -> Claims:
    base: dict[str, Any] = {
        "issuer": ISSUER,
        "worker_id": ALICE,
        "issued_at": NOW - 2 * H,
        "expires_at": NOW + 22 * H,
        "name": "张伟",
        "id_masked": "310101********1234",
        "photo_hash": bytes(range(16)),
        "certs": [WELD, ELEC],
    }
    return Claims(**(base | over))


def synced_worker(w: uuid.UUID, name: str, certs: list[Cert], violations: int = 0) -> dict[str, Any]:
    return {
        "w": str(w),
        "n": name,
        "m": "310101********5678",
        "p": "ab" * 16,
        "v": violations,
        "c": [c.wire() for c in certs],
    }


FRESH = {"as_of": NOW - H, "workers": [synced_worker(BOB, "李强", [WELD])], "frozen": []}


def signed(c: Claims, k: ec.EllipticCurvePrivateKey = CURRENT) -> str:
    return issue(c, KID[k], k)


def tampered() -> str:
    """A real code whose payload was edited after signing (the name), signature kept."""
    good = cose.parse(cose.sign(CURRENT, alice().cbor(), KID[CURRENT]))
    forged = alice(name="王五").cbor()
    return seal(cbor2.dumps(cbor2.CBORTag(18, [good.protected, {}, forged, good.signature])))


def cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def case(
        name: str,
        text: str,
        *,
        synced: dict[str, Any] | None = FRESH,
        required: list[list[str]] | None = None,
        now: int = NOW,
    ) -> None:
        out.append({"name": name, "text": text, "now": now, "synced": synced, "required": required})

    six = [
        Cert("mem", f"mem:0{i}-01", "T3101*********1234", date(2029, 1, i), date(2027, 1, i))
        for i in range(1, 7)
    ]
    case("valid dynamic code", signed(alice()))
    case("valid, six certificates", signed(alice(certs=six)))
    case("expired", signed(alice(issued_at=NOW - 30 * H, expires_at=NOW - 6 * H)))
    case("not yet valid", signed(alice(issued_at=NOW + 2 * H, expires_at=NOW + 26 * H)))
    case("tampered payload", tampered())
    case("wrong key (not in the trust list)", signed(alice(), STRANGER))
    case(
        "rotated key: printed badge signed before rotation",
        signed(Claims(ISSUER, BOB, NOW - 20 * D, NOW + 345 * D, kind="b"), OLD),
    )
    case("rotated key used after it stopped signing", signed(alice(), OLD))
    case("revoked key", signed(alice(issued_at=NOW - 3 * D, expires_at=NOW + D), REVOKED))
    case("frozen worker (in the code)", signed(alice(status="frozen")))
    frozen = FRESH | {"frozen": [{"w": str(ALICE), "since": NOW - H, "item": None}]}
    case("frozen worker (synced freeze list)", signed(alice()), synced=frozen)
    item_frozen = FRESH | {"frozen": [{"w": str(ALICE), "since": NOW - H, "item": "mem:02-01"}]}
    case("one item frozen, no permit picked", signed(alice()), synced=item_frozen)
    case("one item frozen, permit needs it", signed(alice()), synced=item_frozen, required=[["mem:02-01"]])
    case("certificates cover the work", signed(alice()), required=[["mem:02-01", "mem:02-02"]])
    case("certificate not covering the work", signed(alice()), required=[["mem:02-01"], ["mem:03-01"]])
    case("lapsed certificate, no permit", signed(alice(certs=[WELD, LAPSED])))
    case(
        "lapsed certificate needed by the permit", signed(alice(certs=[WELD, LAPSED])), required=[["samr:Q1"]]
    )
    case("open violations", signed(alice(violations=2)))
    case("synced data is stale", signed(alice()), synced=FRESH | {"as_of": NOW - 3 * D})
    case("no synced data", signed(alice()), synced=None)
    case("printed badge, worker synced", signed(Claims(ISSUER, BOB, NOW - D, NOW + 364 * D, kind="b")))
    case("printed badge, worker not synced", signed(Claims(ISSUER, NOBODY, NOW - D, NOW + 364 * D, kind="b")))
    case(
        "printed badge, synced worker frozen",
        signed(Claims(ISSUER, BOB, NOW - D, NOW + 364 * D, kind="b")),
        synced=FRESH | {"frozen": [{"w": str(BOB), "since": NOW - H, "item": None}]},
    )
    case("malformed: wrong prefix", "HC1:" + signed(alice())[4:])
    case("malformed: not base45", "TZ1:hello world")
    case("malformed: base45 length", "TZ1:ABCD")
    case("malformed: not zlib", "TZ1:" + base45.encode(b"\x00\x01plain bytes"))
    case("malformed: not CBOR", "TZ1:" + base45.encode(zlib.compress(b"\xff\xfe\xfd")))
    case("malformed: CBOR but not COSE", "TZ1:" + base45.encode(zlib.compress(cbor2.dumps([1, 2, 3]))))
    case(
        "malformed: signed payload is not a credential",
        seal(cose.sign(CURRENT, cbor2.dumps({"hello": "world"}), KID[CURRENT])),
    )
    case(
        "malformed: signature too short",
        seal(
            cbor2.dumps(
                cbor2.CBORTag(18, [cbor2.dumps({1: -7, 4: KID[CURRENT]}), {}, alice().cbor(), b"\x01" * 10])
            )
        ),
    )
    return out


def main() -> None:
    trust = build_trust_list(
        ROOT,
        ISSUER,
        NOW - H,
        [(e, k.public_key()) for e, k in zip(ENTRIES, (OLD, CURRENT, REVOKED), strict=True)],
    )
    root = raw_public(ROOT.public_key())
    trusted = load_trust_list(trust, root)
    all_cases = cases()
    for c in all_cases:
        synced = msgspec.convert(c["synced"], Synced) if c["synced"] else None
        v = verify(c["text"], trusted, c["now"], synced, c["required"])
        c["expect"] = {
            "verdict": v.verdict,
            "codes": sorted(r["code"] for r in v.reasons),
            "name": v.worker["name"] if v.worker else None,
        }
    flipped = trust[:-70] + bytes([trust[-70] ^ 1]) + trust[-69:]  # a byte of the body, not the signature
    bad_root = build_trust_list(STRANGER, ISSUER, NOW - H, [])
    doc = {
        "note": "generated by pwa/scripts/make_badge_vectors.py; do not edit",
        "root": base64.b64encode(root).decode(),
        "trust_list": base64.b64encode(trust).decode(),
        "trust_list_bad": [
            {"name": "signed by another root", "data": base64.b64encode(bad_root).decode()},
            {"name": "tampered", "data": base64.b64encode(flipped).decode()},
        ],
        "cases": all_cases,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(all_cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
