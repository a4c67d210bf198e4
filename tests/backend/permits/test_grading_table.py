"""`tezuo permit grade` on a table of cases written from GB 30871-2022's clauses (and GB/T 3608 bands)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend.cli import main

MON_10 = "2026-11-30T02:00:00Z"  # Monday 10:00 in China
MON_21 = "2026-11-30T13:00:00Z"  # Monday 21:00
MON_05 = "2026-11-29T21:00:00Z"  # Monday 05:00
SAT_10 = "2026-11-28T02:00:00Z"  # Saturday 10:00 (公休日)

# (case, request, grade, clauses that must be among the reasons, extra expectations)
CASES: list[tuple[str, dict[str, Any], str, set[str], dict[str, Any]]] = [
    # 动火 §5.1
    ("hot general area is 二级", {"work_type": "hot_work"}, "2", {"§5.1.4"}, {"validity_hours": 72}),
    (
        "hot class A fire area is 一级",
        {"work_type": "hot_work", "hazard_class": "fire_class_a"},
        "1",
        {"§5.1.3"},
        {"validity_hours": 8},
    ),
    (
        "hot class B fire area is 一级",
        {"work_type": "hot_work", "hazard_class": "fire_class_b"},
        "1",
        {"§5.1.3"},
        {},
    ),
    (
        "hot in a tank dike (not major hazard) is 一级",
        {"work_type": "hot_work", "hazard_class": "tank_farm_dike"},
        "1",
        {"§5.1.3"},
        {},
    ),
    (
        "hot on a pipe-rack area is 一级",
        {"work_type": "hot_work", "hazard_class": "pipe_rack"},
        "1",
        {"§5.1.3"},
        {},
    ),
    (
        "hot on a pipe rack in a general area is 一级",
        {"work_type": "hot_work", "pipe_rack": True},
        "1",
        {"§5.1.3"},
        {},
    ),
    (
        "hot on running equipment in a fire area is 特级",
        {"work_type": "hot_work", "hazard_class": "fire_class_a", "running_equipment": True},
        "special",
        {"§5.1.2"},
        {"validity_hours": 8, "continuous_gas": True},
    ),
    (
        "hot on running equipment outside fire areas stays 二级",
        {"work_type": "hot_work", "running_equipment": True},
        "2",
        {"§5.1.4"},
        {},
    ),
    ("hot tapping is 特级", {"work_type": "hot_work", "hot_tapping": True}, "special", {"§5.1.2"}, {}),
    (
        "hot in a major-hazard tank dike is 特级",
        {"work_type": "hot_work", "hazard_class": "tank_farm_dike", "major_hazard_tank_farm": True},
        "special",
        {"§5.1.2"},
        {},
    ),
    (
        "hot on running pipes of a rack is 特级",
        {"work_type": "hot_work", "hazard_class": "pipe_rack", "running_equipment": True},
        "special",
        {"§5.1.2"},
        {},
    ),
    (
        "shut-down isolated unit may be 二级",
        {"work_type": "hot_work", "hazard_class": "fire_class_a", "shutdown_isolated": True},
        "2",
        {"§5.1.3", "§5.1.4"},
        {"validity_hours": 72},
    ),
    (
        "running equipment beats the shutdown downgrade",
        {
            "work_type": "hot_work",
            "hazard_class": "fire_class_a",
            "shutdown_isolated": True,
            "running_equipment": True,
        },
        "special",
        {"§5.1.2"},
        {},
    ),
    (
        "holiday upgrades 二级 to 一级",
        {"work_type": "hot_work", "holiday": True},
        "1",
        {"§5.1.1"},
        {"validity_hours": 8},
    ),
    ("night upgrades 二级 to 一级", {"work_type": "hot_work", "night": True}, "1", {"§5.1.1"}, {}),
    (
        "night upgrades 一级 to 特级",
        {"work_type": "hot_work", "hazard_class": "fire_class_a", "night": True},
        "special",
        {"§5.1.1", "§5.1.3"},
        {},
    ),
    (
        "特级 at night stays 特级",
        {"work_type": "hot_work", "hot_tapping": True, "night": True},
        "special",
        {"§5.1.1", "§5.1.2"},
        {},
    ),
    (
        "holiday and night upgrade by one level only",
        {"work_type": "hot_work", "holiday": True, "night": True},
        "1",
        {"§5.1.1"},
        {},
    ),
    ("special situation upgrades", {"work_type": "hot_work", "special_situation": True}, "1", {"§5.1.1"}, {}),
    (
        "wind force 5 outdoors, unavoidable: upgrade, no blocker",
        {"work_type": "hot_work", "outdoor": True, "wind_force": 5, "wind_unavoidable": True},
        "1",
        {"§5.2.15"},
        {"blockers": []},
    ),
    (
        "wind force 5 outdoors: upgrade and blocked",
        {"work_type": "hot_work", "outdoor": True, "wind_force": 5},
        "1",
        {"§5.2.15"},
        {"blocker_clauses": {"§5.2.15"}},
    ),
    (
        "wind indoors changes nothing",
        {"work_type": "hot_work", "wind_force": 6},
        "2",
        {"§5.1.4"},
        {"blockers": []},
    ),
    (
        "start on a Saturday (公休日) upgrades",
        {"work_type": "hot_work", "start": SAT_10, "end": "2026-11-28T06:00:00Z"},
        "1",
        {"§5.1.1"},
        {},
    ),
    (
        "Monday day shift is not upgraded",
        {"work_type": "hot_work", "start": MON_10, "end": "2026-11-30T06:00:00Z"},
        "2",
        {"§5.1.4"},
        {},
    ),
    (
        "Monday 21:00 start is night work",
        {"work_type": "hot_work", "start": MON_21, "end": "2026-11-30T15:00:00Z"},
        "1",
        {"§5.1.1"},
        {},
    ),
    (
        "Monday 05:00 start is night work",
        {"work_type": "hot_work", "start": MON_05, "end": "2026-11-30T01:00:00Z"},
        "1",
        {"§5.1.1"},
        {},
    ),
    (
        "day work running into the evening is night work",
        {"work_type": "hot_work", "start": MON_10, "end": "2026-11-30T12:30:00Z"},
        "1",
        {"§5.1.1"},
        {},
    ),
    (
        "fixed hot-work area needs no permit",
        {"work_type": "hot_work", "fixed_hot_work_area": True},
        "2",
        {"§5.5"},
        {"permit_required": False},
    ),
    (
        "shutdown + holiday: 二级 upgraded to 一级",
        {"work_type": "hot_work", "hazard_class": "fire_class_b", "shutdown_isolated": True, "holiday": True},
        "1",
        {"§5.1.4", "§5.1.1"},
        {},
    ),
    (
        "hot work in a confined space needs its permit too",
        {"work_type": "hot_work", "hazard_class": "confined_space"},
        "2",
        {"§5.1.4"},
        {"linked": 1},
    ),
    (
        "hot work at 3 m needs a height permit too",
        {"work_type": "hot_work", "height_m": 3},
        "2",
        {"§5.1.4"},
        {"linked": 1},
    ),
    (
        "hot work on oxygen service notes 23.5 %",
        {"work_type": "hot_work", "oxygen_service": True},
        "2",
        {"§5.2.7"},
        {},
    ),
    # 高处 §8.1 + GB/T 3608 bands, B.1 note 2
    (
        "1.5 m is not work at height",
        {"work_type": "work_at_height", "height_m": 1.5},
        "I",
        {"§3.1, §8"},
        {"permit_required": False},
    ),
    (
        "2 m is Ⅰ级",
        {"work_type": "work_at_height", "height_m": 2},
        "I",
        {"§8.1.1, 表2"},
        {"validity_hours": 168},
    ),
    ("5 m is Ⅰ级", {"work_type": "work_at_height", "height_m": 5}, "I", {"§8.1.1, 表2"}, {}),
    ("5.1 m is Ⅱ级", {"work_type": "work_at_height", "height_m": 5.1}, "II", {"§8.1.1, 表2"}, {}),
    ("15 m is Ⅱ级", {"work_type": "work_at_height", "height_m": 15}, "II", {"§8.1.1, 表2"}, {}),
    ("16 m is Ⅲ级", {"work_type": "work_at_height", "height_m": 16}, "III", {"§8.1.1, 表2"}, {}),
    ("30 m is Ⅲ级", {"work_type": "work_at_height", "height_m": 30}, "III", {"§8.1.1, 表2"}, {}),
    (
        "31 m is Ⅳ级",
        {"work_type": "work_at_height", "height_m": 31},
        "IV",
        {"§8.1.1, 表2"},
        {"steps": ["team_leader", "safety_officer", "workshop_director", "vice_president"]},
    ),
    (
        "3 m with gusts (B method) is Ⅱ级",
        {"work_type": "work_at_height", "height_m": 3, "height_factors": ["gust_force_5"]},
        "II",
        {"§8.1.2"},
        {},
    ),
    (
        "10 m in the cold (B method) is Ⅲ级",
        {"work_type": "work_at_height", "height_m": 10, "height_factors": ["cold_5c"]},
        "III",
        {"§8.1.2"},
        {},
    ),
    (
        "20 m with low oxygen (B method) is Ⅳ级",
        {"work_type": "work_at_height", "height_m": 20, "height_factors": ["toxic_or_low_o2"]},
        "IV",
        {"§8.1.2"},
        {},
    ),
    (
        "40 m with a factor stays Ⅳ级",
        {"work_type": "work_at_height", "height_m": 40, "height_factors": ["slippery", "poor_light"]},
        "IV",
        {"§8.1.2"},
        {},
    ),
    (
        "a slope over 45° is Ⅰ级 below 2 m",
        {"work_type": "work_at_height", "height_m": 1, "slope_deg": 50},
        "I",
        {"B.1 注2"},
        {"permit_required": True},
    ),
    (
        "3 m above an opening is at least Ⅱ级",
        {"work_type": "work_at_height", "height_m": 3, "height_situations": ["near_opening"]},
        "II",
        {"B.1 注2"},
        {},
    ),
    (
        "night under artificial light is Ⅳ级",
        {"work_type": "work_at_height", "height_m": 3, "height_situations": ["night_artificial_light"]},
        "IV",
        {"B.1 注2"},
        {},
    ),
    (
        "suspended work is Ⅳ级",
        {"work_type": "work_at_height", "height_m": 8, "height_situations": ["suspended"]},
        "IV",
        {"B.1 注2"},
        {},
    ),
    (
        "inside a vessel at 20 m stays Ⅲ级",
        {"work_type": "work_at_height", "height_m": 20, "height_situations": ["inside_vessel"]},
        "III",
        {"§8.1.1, 表2"},
        {},
    ),
    # 吊装 §9.1, B.1 note 3
    (
        "150 t is 一级吊装",
        {"work_type": "lifting", "mass_t": 150},
        "1",
        {"§9.1", "§9.2.1"},
        {"steps": ["team_leader", "safety_officer", "workshop_director", "vice_president"]},
    ),
    ("100 t is 二级吊装", {"work_type": "lifting", "mass_t": 100}, "2", {"§9.1", "§9.2.1"}, {}),
    ("40 t is 二级吊装", {"work_type": "lifting", "mass_t": 40}, "2", {"§9.1"}, {}),
    (
        "39.9 t is 三级吊装",
        {"work_type": "lifting", "mass_t": 39.9},
        "3",
        {"§9.1"},
        {"permit_required": True},
    ),
    (
        "under 10 t may skip the permit",
        {"work_type": "lifting", "mass_t": 9},
        "3",
        {"B.1 注3"},
        {"permit_required": False},
    ),
    (
        "complex 20 t load needs a plan",
        {"work_type": "lifting", "mass_t": 20, "complex_load": True},
        "3",
        {"§9.2.1"},
        {},
    ),
    (
        "wind force 6 stops outdoor lifting",
        {"work_type": "lifting", "mass_t": 20, "outdoor": True, "wind_force": 6},
        "3",
        {"§9.1"},
        {"blocker_clauses": {"§9.2.4"}},
    ),
    # ungraded operations
    (
        "confined space: ungraded, 24 h",
        {"work_type": "confined_space"},
        "none",
        {"§6.10"},
        {"validity_hours": 24, "gas": {"§6.3 a", "§6.3 f", "§6.5", "§6.4"}},
    ),
    ("blinding: one blind per permit", {"work_type": "blinding"}, "none", {"§7.11"}, {}),
    (
        "temporary power in a fire area: gas test first",
        {"work_type": "temporary_power", "hazard_class": "fire_class_a"},
        "none",
        {"§10.1"},
        {"validity_hours": 360, "gas": {"§10.1", "§5.3.2"}},
    ),
    (
        "temporary power in a general area: no gas test",
        {"work_type": "temporary_power"},
        "none",
        {"§10.8"},
        {"gas": set()},
    ),
    (
        "deep excavation near buried lines follows confined-space rules",
        {"work_type": "excavation", "depth_m": 1.5, "near_buried_lines": True},
        "none",
        {"B.1"},
        {"linked": 1},
    ),
    (
        "road breaking is countersigned",
        {"work_type": "road_breaking"},
        "none",
        {"B.1"},
        {"steps": ["team_leader", "safety_officer", "workshop_director"]},
    ),
    # enterprise types: risk matrix
    (
        "scaffolding 3×4=12 is 一级",
        {"work_type": "scaffolding"},
        "1",
        {"企业风险矩阵"},
        {"steps": ["team_leader", "safety_officer", "workshop_director"]},
    ),
    (
        "radiography 2×5=10 is 二级",
        {"work_type": "radiography"},
        "2",
        {"企业风险矩阵"},
        {"steps": ["team_leader", "safety_officer"]},
    ),
    (
        "radiography at night: likelihood 3 → 15 is 一级",
        {"work_type": "radiography", "night": True},
        "1",
        {"企业风险矩阵", "风险矩阵"},
        {},
    ),
    (
        "live work with likelihood 1 is 二级",
        {"work_type": "live_electrical", "likelihood": 1, "severity": 5},
        "2",
        {"企业风险矩阵"},
        {},
    ),
    (
        "limited space (工贸) keeps gas rules",
        {"work_type": "limited_space_industrial"},
        "1",
        {"企业风险矩阵"},
        {"gas": {"§6.3 a (applied by the enterprise)", "§6.5 (applied by the enterprise)", "§6.4"}},
    ),
]
ERRORS = [
    ("unknown work type", {"work_type": "juggling"}, "work_type_unknown"),
    ("lifting without a mass", {"work_type": "lifting"}, "mass_required"),
    (
        "unknown height factor",
        {"work_type": "work_at_height", "height_m": 3, "height_factors": ["ufo"]},
        "unknown_height_factor",
    ),
]


def _grade(
    request: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(request).encode())))
    code = main(["permit", "grade", "--compact"])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEZUO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TEZUO_PERMIT_POLICY", raising=False)


def test_the_table_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("case", "request_", "grade", "clauses", "extra"), CASES, ids=[c[0] for c in CASES])
def test_grade(case, request_, grade, clauses, extra, monkeypatch, capsys) -> None:
    code, out, err = _grade(request_, monkeypatch, capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["grade"] == grade, (case, result["reasons"])
    got = {r["clause"] for r in result["reasons"]}
    assert clauses <= got, (case, got)
    assert set(result) >= {
        "work_type",
        "grade",
        "reasons",
        "validity_hours",
        "approval_steps",
        "gas_requirements",
        "required_certificates",
    }
    if "validity_hours" in extra:
        assert result["validity_hours"] == extra["validity_hours"]
    if "permit_required" in extra:
        assert result["permit_required"] is extra["permit_required"]
    if "blockers" in extra:
        assert result["blockers"] == extra["blockers"]
    if "blocker_clauses" in extra:
        assert {b["clause"] for b in result["blockers"]} == extra["blocker_clauses"]
    if "linked" in extra:
        assert len(result["linked_permits_required"]) == extra["linked"]
    if "steps" in extra:
        assert [s["role"] for s in result["approval_steps"]] == extra["steps"]
    if "gas" in extra:
        assert {g["clause"] for g in result["gas_requirements"]} == extra["gas"]
    if "continuous_gas" in extra:
        assert result["continuous_gas"] is extra["continuous_gas"]


@pytest.mark.parametrize(("case", "request_", "code"), ERRORS, ids=[e[0] for e in ERRORS])
def test_refused_requests_say_why(case, request_, code, monkeypatch, capsys) -> None:
    status, _out, err = _grade(request_, monkeypatch, capsys)
    assert status == 2 and code in err


def test_default_policy_paths_follow_the_domain_note(monkeypatch, capsys) -> None:
    paths = {}
    for g, req in (("2", {}), ("1", {"hazard_class": "fire_class_a"}), ("special", {"hot_tapping": True})):
        _code, out, _err = _grade({"work_type": "hot_work", **req}, monkeypatch, capsys)
        paths[g] = [(s["stage"], s["role"], s["gas_lock"]) for s in json.loads(out)["approval_steps"]]
    assert paths["2"] == [(1, "team_leader", False), (1, "safety_officer", False)]  # dual signature
    assert paths["1"] == [*paths["2"], (2, "workshop_director", False)]
    assert [r for _s, r, _g in paths["special"]] == [
        "team_leader",
        "safety_officer",
        "workshop_director",
        "vice_president",
    ]
    assert all(g for _s, _r, g in paths["special"])  # behind the live gas lock


def test_certificates_per_role(monkeypatch, capsys) -> None:
    _code, out, _err = _grade({"work_type": "hot_work"}, monkeypatch, capsys)
    assert json.loads(out)["required_certificates"] == {"operator": ["mem:02-01 熔化焊接与热切割作业"]}
    _code, out, _err = _grade({"work_type": "temporary_power"}, monkeypatch, capsys)
    assert "低压电工作业" in json.loads(out)["required_certificates"]["operator"][0]
    _code, out, _err = _grade({"work_type": "scaffolding"}, monkeypatch, capsys)
    assert "登高架设作业" in json.loads(out)["required_certificates"]["operator"][0]


def test_the_console_script_reads_stdin(tmp_path: Path) -> None:
    tezuo = Path(sys.executable).with_name("tezuo")
    done = subprocess.run(
        [str(tezuo), "permit", "grade"],
        input=json.dumps({"work_type": "hot_work", "hazard_class": "fire_class_a", "night": True}),
        capture_output=True,
        text=True,
        env={"TEZUO_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["grade_label"] == "特级"
