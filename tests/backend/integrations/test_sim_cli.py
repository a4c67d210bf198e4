"""`tezuo sim` serves both simulators on loopback and prints what arrives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TEZUO = str(Path(sys.executable).with_name("tezuo"))


def test_tezuo_sim_records_what_it_receives(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    record = tmp_path / "received.jsonl"
    env = {**os.environ, "TEZUO_DATA_DIR": str(tmp_path), "TEZUO_SECRET_KEY": "k"}
    proc = subprocess.Popen(
        [TEZUO, "sim", "--port", str(port), "--record", str(record)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/_sim/received", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        body = {"person": {"person_id": "p1", "name": "赵铁柱"}, "reason": "expired"}
        assert (
            httpx.post(f"{base}/gate/access/revoke", json=body, headers={"Idempotency-Key": "m1"}).status_code
            == 200
        )
        assert httpx.get(f"{base}/gate/access/p1").json()["allowed"] is False
        hr = httpx.post(f"{base}/hr/webhook", json={"event": "retraining.requested", "data": {}})
        assert hr.status_code == 202
        received = httpx.get(f"{base}/_sim/received").json()
        assert [r["target"] for r in received] == ["gate", "hr"]
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "TEZUO_HR_WEBHOOK_URL=" in out and "revoke 赵铁柱" in out
    assert len(record.read_text().splitlines()) == 2
