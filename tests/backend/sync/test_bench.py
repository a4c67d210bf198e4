"""`tezuo bench sync` runs end to end on a tiny load (figures are printed, never asserted)."""

from __future__ import annotations

import json

import pytest

from backend.bench import run
from backend.config import load_settings


@pytest.fixture
def settings(tmp_path):
    """The bench makes its own databases; these settings are only what the CLI passes along."""
    return load_settings({"TEZUO_DATA_DIR": str(tmp_path), "TEZUO_SECRET_KEY": "bench-test"})


def test_bench_sync_prints_its_figures_as_the_last_line(settings, capsys):
    argv = ["--devices", "2", "--ops", "30", "--batch", "10", "--databases", "sqlite", "--no-pouchdb"]
    assert run("sync", argv, settings) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["sqlite"]["ops"] == 60
    assert set(figures["sqlite"]) >= {"ops_per_s", "p95_push_ms", "converge_seconds"}


def test_bench_list_names_sync(settings, capsys):
    assert run("list", [], settings) == 0
    assert "sync" in capsys.readouterr().out
