"""`tezuo bench permits --quick` runs end to end and ends with one JSON line (no timing asserts)."""

from __future__ import annotations

import json

from backend.cli import main


def test_bench_permits_quick_prints_a_table_then_json(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("TEZUO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TEZUO_DATABASE_URL", raising=False)
    assert main(["bench", "permits", "--quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["bench"] == "permits" and figures["approvers"] == 10
    assert {"approval_p50_ms", "approval_p99_ms", "grading_per_s"} <= set(figures)
    assert any(line.startswith("approval_p99_ms") for line in lines[:-1])
