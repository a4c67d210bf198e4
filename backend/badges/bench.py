"""`tezuo bench badge`: the QR payload of a worker with six certificates (must fit QR version ≤ 15
at ECC M), codes issued per second (sign + compress + base45) and the Python verifier's time per
scan. The browser verifier's time is measured by the Playwright test (tests/e2e/test_badge_scan.py)."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from backend.badges.credential import Cert, Claims, epoch, issue
from backend.badges.keys import BadgeKeys
from backend.badges.verify import Synced, SyncedWorker, load_trust_list, verify
from backend.config import Settings

TARGETS = {"qr_version_max": 15, "verify_ms": 10}


def six_certificates(now: datetime) -> Claims:
    certs = [
        Cert("mem", "mem:02-01", "T3201*********123X", date(2029, 3, 1), date(2027, 3, 1)),
        Cert("mem", "mem:01-02", "T3201*********123X", date(2028, 6, 30), date(2027, 6, 30)),
        Cert("mem", "mem:03-01", "T3201*********123X", date(2030, 1, 15), date(2028, 1, 15)),
        Cert("mem", "mem:09-16", "T3201*********123X", date(2031, 9, 9), None),
        Cert("samr", "samr:Q1", "320102*****4567", date(2028, 12, 1), None),
        Cert("mohurd", "mohurd:04", "苏A042024000123", date(2027, 5, 20), None),
    ]
    return Claims(
        issuer="tezuo.example.com",
        worker_id=uuid.uuid4(),
        issued_at=epoch(now),
        expires_at=epoch(now) + 86400,
        name="欧阳建国",
        id_masked="320102********123X",
        photo_hash=bytes(range(16)),
        violations=1,
        certs=certs,
    )


def qr_version(text: str) -> int:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return int(code.version)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    rounds = 200 if args.quick else 2000
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        keys = BadgeKeys(Path(tmp), "tezuo.example.com")
        kid, key = keys.signer(now)
        trust = load_trust_list(keys.trust_list(now), keys.root_public())
    claims = six_certificates(now)
    text = issue(claims, bytes.fromhex(kid), key)
    version = qr_version(text)
    t0 = time.perf_counter()
    for _ in range(rounds):
        issue(claims, bytes.fromhex(kid), key)
    issue_rate = rounds / (time.perf_counter() - t0)
    synced = Synced(as_of=epoch(now), workers=[SyncedWorker(w=str(claims.worker_id), n=claims.name)])
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        v = verify(text, trust, epoch(now), synced, [["mem:02-01"]])
        times.append((time.perf_counter() - t) * 1000)
    assert v.verdict == "amber", v.reasons  # one open violation
    figures: dict[str, Any] = {
        "certificates": len(claims.certs),
        "qr_chars": len(text),
        "qr_version_ecc_m": version,
        "issue_per_s": round(issue_rate),
        "verify_ms_python_median": round(statistics.median(times), 3),
        "verify_ms_python_p95": round(sorted(times)[int(len(times) * 0.95)], 3),
        "rounds": rounds,
    }
    print(f"{'figure':<28}{'value':>12}  target")
    print(f"{'QR text (chars)':<28}{len(text):>12}")
    print(f"{'QR version at ECC M':<28}{version:>12}  ≤ {TARGETS['qr_version_max']}")
    print(f"{'codes issued / s':<28}{figures['issue_per_s']:>12}")
    median = figures["verify_ms_python_median"]
    print(f"{'verify ms (Python, median)':<28}{median:>12}  < {TARGETS['verify_ms']}")
    print(json.dumps(figures))
    return 0
