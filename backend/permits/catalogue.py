"""The work-type catalogue and the approval policy, loaded from data files (never literals in code)."""

from __future__ import annotations

import functools
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import msgspec

DATA = Path(__file__).resolve().parent / "data"
POLICY_ENV = "TEZUO_PERMIT_POLICY"


class CertItem(msgspec.Struct, frozen=True):
    family: str
    item: str
    name: str


class GasRule(msgspec.Struct, frozen=True, kw_only=True):
    kind: str  # pre_start | retest_after_break | daily | continuous | periodic | criteria | portable_detector
    clause: str
    text: str
    within_minutes: int | None = None
    every_minutes: int | None = None
    minutes: dict[str, int] | None = None
    grades: list[str] | None = None
    when: str | None = None  # "fire_area": only in a fire/explosion hazard area
    media: list[str] | None = None


class Field(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    label: str
    type: str
    required: bool = False
    choices: list[str] | None = None


class Risk(msgspec.Struct, frozen=True):
    likelihood: int
    severity: int


class WorkType(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    name_en: str
    permit_title: str
    number_prefix: str
    source: str
    form: str
    grading: str  # hot_work | height | lifting | matrix | none
    grades: list[str]
    validity_hours: dict[str, int]
    validity_clause: str
    risk: Risk
    guardian_required: bool
    certificates: dict[str, list[CertItem]]
    gas: list[GasRule]
    fields: list[Field]
    measures: list[str]
    validity_max_hours: int | None = None
    countersign: list[str] = []


class Catalogue(msgspec.Struct, frozen=True):
    standard: str
    effective_from: str
    notes: str
    grade_labels: dict[str, list[str]]
    types: list[WorkType]

    def get(self, code: str) -> WorkType | None:
        return next((t for t in self.types if t.code == code), None)

    def label(self, grade: str) -> str:
        return self.grade_labels.get(grade, [grade])[0]


class Slot(msgspec.Struct, frozen=True, kw_only=True):
    role: str
    gas_lock: bool = False
    on_site: bool | None = None  # None: the policy's [approval].on_site


class ApprovalPath(msgspec.Struct, frozen=True, kw_only=True):
    work_type: str
    grade: str
    clause: str
    stages: list[list[Slot]]


class SimopsRule(msgspec.Struct, frozen=True, kw_only=True):
    work_type: str
    other: str
    within_m: float
    action: str  # block | warn
    clause: str
    text: str
    same_pipe: bool = False


class TimePolicy(msgspec.Struct, frozen=True, kw_only=True):
    utc_offset_hours: int = 8
    night: list[str] = msgspec.field(default_factory=lambda: ["20:00", "06:00"])
    weekend_is_rest_day: bool = True
    holidays: list[str] = []
    stack_upgrades: bool = False


class ApprovalPolicy(msgspec.Struct, frozen=True, kw_only=True):
    on_site: bool = True
    on_site_tolerance_m: float = 50
    deputy_after_minutes: int = 30
    reachable_minutes: int = 10
    escalate_after_minutes: int = 120
    escalate_to_role: str = "vice_president"
    applicant_roles: list[str] = msgspec.field(default_factory=lambda: ["team_leader"])
    start_roles: list[str] = msgspec.field(default_factory=lambda: ["team_leader"])
    complete_roles: list[str] = msgspec.field(default_factory=lambda: ["team_leader"])
    suspend_roles: list[str] = msgspec.field(default_factory=lambda: ["guardian", "team_leader"])
    close_roles: list[str] = msgspec.field(default_factory=lambda: ["safety_officer"])


class PushPolicy(msgspec.Struct, frozen=True, kw_only=True):
    minutes_before_start: int = 30
    emergency_phone: str = ""
    public_numbers: list[str] = []


class GasPolicy(msgspec.Struct, frozen=True, kw_only=True):
    lock_window_minutes: int = 15
    max_reading_gap_minutes: int = 5
    enterprise_lel_percent: float = 10.0
    oxygen_min_percent: float = 19.5
    oxygen_max_percent: float = 21.0
    oxygen_enriched_max_percent: float = 23.5
    continuous_for: list[str] = msgspec.field(default_factory=lambda: ["hot_work:special"])
    suspend_on_alarm: list[str] = msgspec.field(default_factory=lambda: ["hot_work", "confined_space"])


class RiskMatrix(msgspec.Struct, frozen=True, kw_only=True):
    grade_1_min_score: int = 12
    levels: list[tuple[int, str]] = msgspec.field(
        default_factory=lambda: [(20, "extreme"), (12, "high"), (6, "medium"), (0, "low")]
    )
    likelihood_factors: list[str] = []


class Policy(msgspec.Struct, frozen=True, kw_only=True):
    time: TimePolicy = TimePolicy()
    approval: ApprovalPolicy = ApprovalPolicy()
    push: PushPolicy = PushPolicy()
    gas: GasPolicy = GasPolicy()
    risk_matrix: RiskMatrix = RiskMatrix()
    path: list[ApprovalPath] = []
    simops: list[SimopsRule] = []

    def path_for(self, work_type: str, grade: str) -> ApprovalPath:
        """The first path matching (type, grade), then (type, *), (*, grade), (*, *)."""
        for wt, gr in ((work_type, grade), (work_type, "*"), ("*", grade), ("*", "*")):
            for p in self.path:
                if p.work_type == wt and p.grade == gr:
                    return p
        raise LookupError(f"no approval path for {work_type}/{grade} in the policy")

    def continuous(self, work_type: str, grade: str) -> bool:
        return f"{work_type}:{grade}" in self.gas.continuous_for or work_type in self.gas.continuous_for


@functools.cache
def catalogue() -> Catalogue:
    return msgspec.json.decode((DATA / "work_types.json").read_bytes(), type=Catalogue)


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@functools.cache
def _policy_at(path: str) -> Policy:
    return msgspec.convert(_read_toml(Path(path)), type=Policy)


def policy_path(data_dir: Path | None = None) -> Path:
    """$TEZUO_PERMIT_POLICY, else $TEZUO_DATA_DIR/permits/policy.toml if present, else the default."""
    if os.environ.get(POLICY_ENV):
        return Path(os.environ[POLICY_ENV])
    if data_dir is not None and (data_dir / "permits" / "policy.toml").is_file():
        return data_dir / "permits" / "policy.toml"
    return DATA / "policy.toml"


def policy(data_dir: Path | None = None) -> Policy:
    return _policy_at(str(policy_path(data_dir)))


@functools.cache
def gases() -> dict[str, dict[str, Any]]:
    path = Path(__file__).resolve().parent.parent / "gas" / "data" / "gases.json"
    data: dict[str, dict[str, Any]] = json.loads(path.read_text())["gases"]
    return data
