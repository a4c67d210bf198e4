"""§5.3.2 limits converted from %LEL against the enterprise threshold, and an enterprise-edited policy."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from backend.cli import main
from backend.gas.service import judge, lel_limit
from backend.permits.catalogue import DATA, GasPolicy


@pytest.mark.parametrize(
    ("gas", "limit", "source"),
    [
        ("methane", 10.0, "§5.3.2"),  # LEL 5 %: 0.5 % v/v = 10 %LEL, equal to the enterprise 10 %LEL
        ("hydrogen", 10.0, "企业阈值"),  # LEL 4 %: §5.3.2 allows 12.5 %LEL, the enterprise 10 % is stricter
        ("propane", 9.524, "§5.3.2"),  # LEL 2.1 % < 4 %: 0.2 % v/v = 9.52 %LEL
        ("benzene", 10.0, "企业阈值"),  # LEL 1.2 %: 0.2 % v/v = 16.7 %LEL
        ("ammonia", 3.333, "§5.3.2"),  # LEL 15 %: 0.5 % v/v = 3.3 %LEL
    ],
)
def test_the_stricter_limit_wins(gas: str, limit: float, source: str) -> None:
    got = lel_limit(gas, GasPolicy())
    assert got.lel_percent == pytest.approx(limit, abs=0.001)
    assert source in got.text


def test_readings_are_judged_in_volume_and_oxygen() -> None:
    policy = GasPolicy()
    assert judge("propane", 9.0, None, policy)[0] is True
    ok, why = judge("propane", 10.0, None, policy)
    assert not ok and "0.21% v/v" in why
    assert judge("methane", None, 20.9, policy)[0] is True
    assert judge("methane", None, 19.0, policy)[0] is False
    assert judge("methane", None, 23.0, policy, enriched=True)[0] is True


def test_an_enterprise_policy_file_changes_the_approval_path(monkeypatch, tmp_path: Path, capsys) -> None:
    text = (DATA / "policy.toml").read_text()
    dual = '[{ role = "team_leader" }, { role = "safety_officer" }]'
    edited = text.replace(
        f'grade = "2"\nclause = "B.1: 所在基层单位"\nstages = [{dual}]',
        f'grade = "2"\nclause = "enterprise: 二级 also needs the director"\n'
        f'stages = [{dual}, [{{ role = "workshop_director" }}]]',
    )
    assert edited != text
    (tmp_path / "permits").mkdir()
    (tmp_path / "permits" / "policy.toml").write_text(edited)
    monkeypatch.setenv("TEZUO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TEZUO_PERMIT_POLICY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"work_type": "hot_work"}')))
    assert main(["permit", "grade"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [s["role"] for s in result["approval_steps"]] == [
        "team_leader",
        "safety_officer",
        "workshop_director",
    ]
    assert result["approval_clause"].startswith("enterprise")
