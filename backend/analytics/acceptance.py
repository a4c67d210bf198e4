"""The 72-hour acceptance test of a newly commissioned gas detector, computed from its own data:
completeness and gaps, stability and drift against its calibration reference, implausible values,
alarms and comms drop-outs, each judged against the criteria in data/acceptance.json.

Pure functions over plain tuples; `acceptance_report.py` loads them from the database.
"""

from __future__ import annotations

import itertools
import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

CRITERIA = Path(__file__).resolve().parent / "data" / "acceptance.json"


def criteria() -> dict[str, Any]:
    return dict(json.loads(CRITERIA.read_text("utf-8")))


@dataclass
class Check:
    key: str
    label: dict[str, str]
    value: float | None
    limit: float
    op: str  # le | ge
    passed: bool
    text: dict[str, str]  # the reason in words when it fails, the figure when it passes


@dataclass
class Assessment:
    start: datetime
    end: datetime
    interval_s: float
    complete: bool  # the 72 hours are over (otherwise the verdict is `in_progress`)
    verdict: str  # pass | fail | in_progress
    expected_samples: int
    received_samples: int
    completeness_percent: float
    longest_gap_s: float
    longest_gap_at: datetime | None
    dropouts: int
    noise: float | None
    zero_drift: float | None
    out_of_range: int
    alarms: int
    calibrations: int
    calibration_deviation_percent: float | None
    calibration_drift_percent: float | None
    checks: list[Check] = field(default_factory=list)

    @property
    def reasons(self) -> list[dict[str, str]]:
        return [c.text for c in self.checks if not c.passed]


# Failures no later data can undo: the verdict is `fail` before the 72 hours are over.
FINAL = frozenset({"longest_gap", "comms_errors", "out_of_range", "alarms"})
LABELS = {
    "completeness": {"zh-CN": "数据完整率", "en": "Data completeness"},
    "longest_gap": {"zh-CN": "最长数据中断", "en": "Longest gap"},
    "comms_errors": {"zh-CN": "通讯中断次数", "en": "Comms drop-outs"},
    "noise": {"zh-CN": "读数稳定性（噪声）", "en": "Reading stability (noise)"},
    "zero_drift": {"zh-CN": "零点漂移", "en": "Zero drift"},
    "calibration": {"zh-CN": "校准偏差", "en": "Calibration deviation"},
    "calibration_drift": {"zh-CN": "校准漂移", "en": "Calibration drift"},
    "out_of_range": {"zh-CN": "超量程/不合理读数", "en": "Out-of-range / implausible readings"},
    "alarms": {"zh-CN": "报警次数", "en": "Alarms"},
}


def _check(
    key: str, value: float | None, limit: float, op: str, note: tuple[str, str] = ("", ""), unit: str = ""
) -> Check:
    """One criterion; `note` (zh-CN, en) follows the figures in the text, `unit` follows each number."""
    passed = value is not None and (value <= limit if op == "le" else value >= limit)
    sign = "≤" if op == "le" else "≥"
    shown = "—" if value is None else f"{value:g}{unit}"
    zh, en = LABELS[key]["zh-CN"], LABELS[key]["en"]
    text = {
        "zh-CN": f"{zh} {shown}（要求 {sign} {limit:g}{unit}）{note[0]}",
        "en": f"{en} {shown} (required {sign} {limit:g}{unit}){note[1]}",
    }
    return Check(key, LABELS[key], value, limit, op, passed, text)


def _robust_sd(values: Sequence[float]) -> float:
    med = statistics.median(values)
    return 1.4826 * statistics.median(abs(v - med) for v in values)


def nominal_interval(times: Sequence[datetime]) -> float | None:
    """The device's sampling interval in whole seconds: the median step (gaps do not move it)."""
    if len(times) < 10:
        return None
    return max(1.0, round(statistics.median((b - a).total_seconds() for a, b in itertools.pairwise(times))))


def assess(
    readings: Sequence[tuple[datetime, float]],
    commissioned_at: datetime,
    now: datetime,
    calibrations: Sequence[tuple[datetime, float]],
    alarms: int,
    *,
    o2: bool = False,
    interval_s: float | None = None,
    rules: dict[str, Any] | None = None,
) -> Assessment:
    """Judge the first `duration_hours` after commissioning (or as much of it as has passed).

    `readings`: (measured_at, value) — %LEL, or % O₂ when `o2`; `calibrations`: (at, deviation %)
    of the bump tests from `calibration_lookback_days` before commissioning to the window's end.
    Expected samples = window ÷ interval; received = distinct instants inside the window. The
    interval is `interval_s`, else the device's own (the median step between its readings), else
    the criteria's `expected_interval_s`.
    """
    c = rules or criteria()
    start = commissioned_at
    full_end = start + timedelta(hours=c["duration_hours"])
    end = min(full_end, now)
    window = sorted((at, v) for at, v in readings if start <= at < end)
    times = sorted({at for at, _ in window})
    interval = timedelta(seconds=interval_s or nominal_interval(times) or c["expected_interval_s"])
    values = [v for _, v in window]
    expected = max(0, int((end - start) / interval))
    received = len(times)
    completeness = round(min(100.0, received / expected * 100), 2) if expected else 0.0
    # Gaps: from the start to the first sample, between samples, and (once the window is over) from
    # the last sample to the end — before that, a node's store-and-forward queue may still fill it.
    complete = now >= full_end
    edges = [start, *times, end] if complete or not times else [start, *times]
    gaps = [(b - a, a) for a, b in itertools.pairwise(edges)]
    longest, longest_at = max(gaps, default=(timedelta(0), None), key=lambda g: g[0])
    dropouts = sum(1 for g, _ in gaps if g > interval * c["dropout_factor"])
    lo, hi = c["o2_range"] if o2 else c["lel_range"]
    out_of_range = sum(1 for v in values if not lo <= v <= hi)
    plausible = [v for v in values if lo <= v <= hi]
    # Noise from sample-to-sample steps (robust SD ÷ √2), so a slow drift does not count as noise.
    steps = [b - a for a, b in itertools.pairwise(plausible)]
    noise = round(_robust_sd(steps) / math.sqrt(2), 4) if len(steps) >= 2 else None
    edge = timedelta(hours=c["edge_hours"])
    first = [v for at, v in window if at < start + edge and lo <= v <= hi]
    last = [v for at, v in window if at >= end - edge and lo <= v <= hi]
    drift = (
        round(statistics.median(last) - statistics.median(first), 4)
        if first and last and end - start >= 2 * edge
        else None
    )
    cal = sorted((at, d) for at, d in calibrations if at < end)
    cal_dev = max((abs(d) for _, d in cal), default=None)
    cal_drift = round(cal[-1][1] - cal[0][1], 2) if len(cal) >= 2 else None
    gap_min = round(longest.total_seconds() / 60, 1)
    since = (
        (f"，始于 {longest_at:%m-%d %H:%M} UTC", f", from {longest_at:%m-%d %H:%M} UTC")
        if longest_at
        else ("", "")
    )
    n, h = c["dropout_factor"], c["edge_hours"]
    checks = [
        _check("completeness", completeness, c["min_completeness_percent"], "ge",
               (f"：应收 {expected}，实收 {received}", f": expected {expected}, received {received}"), " %"),
        _check("longest_gap", gap_min, c["max_gap_minutes"], "le", since, " min"),
        _check("comms_errors", dropouts, c["max_comms_errors"], "le",
               (f"（静默超过 {n} 个采样周期记一次）", f" (a silence over {n} intervals counts once)")),
        _check("noise", noise, c["max_noise"], "le"),
        _check("zero_drift", None if drift is None else abs(drift), c["max_zero_drift"], "le",
               (f"（末 {h} 小时与首 {h} 小时中位数之差）", f" (median of the last {h} h minus the first)")),
        _check("calibration", cal_dev, c["max_calibration_deviation_percent"], "le",
               ("" , "") if cal else ("：无校准记录", ": no calibration record"), " %"),
        _check("out_of_range", out_of_range, c["max_out_of_range"], "le"),
        _check("alarms", alarms, c["max_alarms"], "le"),
    ]  # fmt: skip
    if cal_drift is not None:
        checks.append(
            _check("calibration_drift", abs(cal_drift), c["max_calibration_drift_percent"], "le", unit=" %")
        )
    failed = any(not ch.passed for ch in checks)
    final = any(not ch.passed for ch in checks if ch.key in FINAL)
    return Assessment(
        start=start,
        end=end,
        interval_s=interval.total_seconds(),
        complete=complete,
        verdict="fail" if final or (failed and complete) else "pass" if complete else "in_progress",
        expected_samples=expected,
        received_samples=received,
        completeness_percent=completeness,
        longest_gap_s=longest.total_seconds(),
        longest_gap_at=longest_at,
        dropouts=dropouts,
        noise=noise,
        zero_drift=drift,
        out_of_range=out_of_range,
        alarms=alarms,
        calibrations=len(cal),
        calibration_deviation_percent=cal_dev,
        calibration_drift_percent=cal_drift,
        checks=checks,
    )
