"""`tezuo bench audit` runs end to end on a small log and ends with one JSON line of figures."""

from __future__ import annotations

import asyncio
import json
import subprocess

from tests.backend.audit.helpers import TEZUO


async def test_the_audit_bench_prints_its_figures_last(tmp_path):
    args = [str(TEZUO), "bench", "audit", "--quick"]
    res = await asyncio.to_thread(
        subprocess.run,
        args,
        capture_output=True,
        text=True,
        timeout=120,
        env={"TEZUO_DATA_DIR": str(tmp_path), "PATH": ""},
    )
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout.strip().splitlines()[-1])
    assert figures["bench"] == "audit" and figures["entries"] == 2000 + 200 + 5
    for key in ("appends_per_s_batched", "inclusion_proof_ms", "consistency_proof_ms", "verify_s"):
        assert key in figures
    assert "audit log benchmark" in res.stdout
