"""`tezuo bench sync` runs end to end on a tiny load (figures are printed, never asserted)."""

from __future__ import annotations

import json

from backend.cli import main


def test_bench_sync_prints_its_figures_as_the_last_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TEZUO_DATA_DIR", str(tmp_path))
    argv = ["bench", "sync", "--quick", "--batch", "10", "--databases", "sqlite", "--no-pouchdb"]
    assert main(argv) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["sqlite"]["ops"] == 100  # --quick: 2 devices × 50 ops
    assert set(figures["sqlite"]) >= {"ops_per_s", "p95_push_ms", "converge_seconds"}
