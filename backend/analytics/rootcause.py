# ruff: noqa: E501  (the findings are sentences; they read best unwrapped)
"""Gas-data root-cause analysis, pure functions: find anomaly episodes in a detector's series,
tell spikes (sudden jump, back to baseline — physically implausible for a leak) from sustained
rises, find the hours they recur at, and correlate them with SCADA series on the same time axis.

No hint is given: the recurring window and the coinciding signals are found from the data.
The series comes in the unit people read the gas in (ppm for toxic gases, %LEL otherwise:
backend/gas/units.py); the threshold's floor `min_rise` is in that unit.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

BIN = timedelta(minutes=5)
MERGE_GAP_BINS = 3  # a spike train (0→28→0→15) within 15 min is one episode
SPIKE_MAX_BINS = 36  # 3 h: longer than this is not a transient
SLOT_MINUTES = 30
Series = Sequence[tuple[datetime, float]]


@dataclass
class Episode:
    start: int  # bin index
    end: int  # last anomalous bin
    peak: float
    shape: str  # spike (sudden, back to baseline) | transient (gradual, back) | sustained_rise


@dataclass
class TagEvidence:
    tag: str
    active_in_anomaly: float  # share of anomalous bins where the tag was active
    active_otherwise: float
    mean_in_anomaly: float
    correlation: float | None


@dataclass
class Window:
    start: str  # "04:00" local
    end: str  # "05:30"
    days_with: int
    days_total: int


@dataclass
class Analysis:
    verdict: str  # normal | interference | recurring_unexplained | possible_leak | sporadic
    baseline: float
    threshold: float
    episodes: list[Episode]
    windows: list[Window]
    evidence: list[TagEvidence]
    bins: list[float | None]
    anomalous: list[bool]
    start: datetime
    unit: str = "%LEL"  # of baseline, threshold, peaks and bins
    finding: dict[str, str] = field(default_factory=dict)


def binned(series: Series, start: datetime, count: int, how: str) -> list[float | None]:
    """Values per 5-min bin: max (gas: keeps a spike) or mean (SCADA), None where nothing came."""
    buckets: list[list[float]] = [[] for _ in range(count)]
    for at, v in series:
        i = int((at - start) / BIN)
        if 0 <= i < count:
            buckets[i].append(v)
    return [(max(b) if how == "max" else statistics.fmean(b)) if b else None for b in buckets]


def filled(values: list[float | None]) -> list[float | None]:
    """Carry the last sample forward: a state (pump on) holds until the next sample says otherwise."""
    out, last = [], None
    for v in values:
        last = v if v is not None else last
        out.append(last)
    return out


def episodes_of(values: list[float | None], threshold: float) -> list[Episode]:
    flags = [v is not None and v > threshold for v in values]
    runs: list[list[int]] = []
    for i, bad in enumerate(flags):
        if not bad:
            continue
        if runs and i - runs[-1][1] <= MERGE_GAP_BINS + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    out = []
    last_bin = max((i for i, v in enumerate(values) if v is not None), default=-1)
    for a, b in runs:
        peak = max(v for v in values[a : b + 1] if v is not None)
        returned = b < last_bin  # it fell back under the threshold before the data ended
        first = values[a] or 0.0
        abrupt = first >= 0.5 * peak
        short = b - a + 1 <= SPIKE_MAX_BINS
        shape = "sustained_rise" if not returned or not short else "spike" if abrupt else "transient"
        out.append(Episode(a, b, peak, shape))
    return out


def recurring_windows(
    start: datetime, anomalous: list[bool], has_data: list[bool], utc_offset: timedelta
) -> list[Window]:
    """30-min local-time slots that are anomalous on ≥ 60 % (and ≥ 3) of the observed days, merged."""
    days: dict[object, set[int]] = {}
    for i, bad in enumerate(anomalous):
        local = start + i * BIN + utc_offset
        slots = days.setdefault(local.date(), set())
        if bad:
            slots.add((local.hour * 60 + local.minute) // SLOT_MINUTES)
    observed = [d for d, _ in days.items()]
    covered = {(start + i * BIN + utc_offset).date() for i, ok in enumerate(has_data) if ok}
    total = len([d for d in observed if d in covered])
    if total < 3:
        return []
    counts = [sum(1 for d in covered if s in days.get(d, set())) for s in range(24 * 60 // SLOT_MINUTES)]
    need = max(3, int(0.6 * total + 0.999))
    out, s = [], 0
    while s < len(counts):
        if counts[s] >= need:
            e = s
            while e + 1 < len(counts) and counts[e + 1] >= need:
                e += 1
            with_any = sum(1 for d in covered if days.get(d, set()) & set(range(s, e + 1)))
            fmt = lambda m: f"{m // 60 % 24:02d}:{m % 60:02d}"  # noqa: E731
            out.append(Window(fmt(s * SLOT_MINUTES), fmt((e + 1) * SLOT_MINUTES), with_any, total))
            s = e + 1
        else:
            s += 1
    return out


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return round(statistics.correlation(xs, ys), 3)


def tag_evidence(
    tag: str, gas: list[float | None], values: list[float | None], anomalous: list[bool]
) -> TagEvidence | None:
    pairs = [
        (g, v, bad)
        for g, v, bad in zip(gas, values, anomalous, strict=True)
        if g is not None and v is not None
    ]
    if len(pairs) < 12 or not any(bad for _, _, bad in pairs):
        return None
    vs = sorted(v for _, v, _ in pairs)
    lo, hi = vs[len(vs) // 2], vs[-1]  # "active": above halfway from its usual level to its peak
    if hi <= lo:
        return None
    cut = (lo + hi) / 2
    inside = [v for _, v, bad in pairs if bad]
    outside = [v for _, v, bad in pairs if not bad]
    p_in = sum(1 for v in inside if v > cut) / len(inside)
    p_out = sum(1 for v in outside if v > cut) / len(outside) if outside else 0.0
    corr = _pearson([g for g, _, _ in pairs], [v for _, v, _ in pairs])
    return TagEvidence(tag, round(p_in, 3), round(p_out, 3), round(statistics.fmean(inside), 2), corr)


def analyse(
    readings: Series,
    scada: Mapping[str, Series],
    since: datetime,
    until: datetime,
    utc_offset: timedelta = timedelta(hours=8),
    min_rise: float = 2.0,
    unit: str = "%LEL",
) -> Analysis:
    """`readings` in `unit`; a rise under `min_rise` of that unit above the baseline is never flagged."""
    count = max(1, int((until - since) / BIN))
    gas = binned(readings, since, count, "max")
    known = [v for v in gas if v is not None]
    if not known:
        return Analysis("no_data", 0.0, 0.0, [], [], [], gas, [False] * count, since, unit)
    base = statistics.median(known)
    mad = statistics.median(abs(v - base) for v in known)
    threshold = round(base + max(6 * 1.4826 * mad, min_rise), 3)
    eps = episodes_of(gas, threshold)
    anomalous = [False] * count
    for e in eps:
        for i in range(e.start, e.end + 1):
            anomalous[i] = True
    windows = recurring_windows(since, anomalous, [v is not None for v in gas], utc_offset)
    evidence = []
    for tag, series in sorted(scada.items()):
        ev = tag_evidence(tag, gas, filled(binned(series, since, count, "mean")), anomalous)
        if (
            ev is not None
            and ev.active_in_anomaly >= 0.7
            and ev.active_in_anomaly - ev.active_otherwise >= 0.5
        ):
            evidence.append(ev)
    sustained = [e for e in eps if e.shape == "sustained_rise"]
    spikes = [e for e in eps if e.shape == "spike"]
    if not eps:
        verdict = "normal"
    elif sustained:
        verdict = "possible_leak"  # a rise that persists is treated as real, whatever else coincides
    elif windows and evidence and len(spikes) >= len(eps) / 2:
        verdict = "interference"
    elif windows:
        verdict = "recurring_unexplained"
    else:
        verdict = "sporadic"
    a = Analysis(verdict, round(base, 3), threshold, eps, windows, evidence, gas, anomalous, since, unit)
    a.finding = describe(a, len(spikes), sustained, utc_offset)
    return a


def describe(a: Analysis, spikes: int, sustained: list[Episode], utc_offset: timedelta) -> dict[str, str]:
    """The finding in words, zh-CN and en; values in the analysis' unit (ppm for toxic gases)."""
    u = a.unit
    top = max((e.peak for e in a.episodes), default=0.0)
    win = "、".join(f"{w.start}–{w.end}（{w.days_total} 天中 {w.days_with} 天）" for w in a.windows)
    win_en = ", ".join(f"{w.start}–{w.end} on {w.days_with} of {w.days_total} days" for w in a.windows)
    tags = "、".join(
        f"{e.tag}（异常时段 {e.active_in_anomaly:.0%} 处于高位，其余 {e.active_otherwise:.0%}，均值 {e.mean_in_anomaly:g}）"
        for e in a.evidence
    )
    tags_en = ", ".join(
        f"{e.tag} (high in {e.active_in_anomaly:.0%} of anomalous bins vs {e.active_otherwise:.0%} otherwise, mean {e.mean_in_anomaly:g})"
        for e in a.evidence
    )
    if a.verdict == "no_data":
        return {"zh-CN": "所选时段无读数。", "en": "No readings in the period."}
    if a.verdict == "normal":
        return {
            "zh-CN": f"未发现异常（阈值 {a.threshold:g} {u}）。",
            "en": f"No anomaly (threshold {a.threshold:g} {u}).",
        }
    if a.verdict == "possible_leak":
        e = sustained[-1]
        at = (a.start + e.start * BIN + utc_offset).strftime("%m-%d %H:%M")
        return {
            "zh-CN": f"自 {at} 起读数持续上升至 {e.peak:g} {u} 且未回落，不符合干扰特征；按真实泄漏处置，立即核查现场。",
            "en": f"From {at} the reading rises to {e.peak:g} {u} and does not fall back — not an interference pattern; "
            "treat as a real leak and check the site now.",
        }
    if a.verdict == "interference":
        return {
            "zh-CN": f"尖峰在 {win} 反复出现（突升至最高 {top:g} {u} 后回零，{spikes} 次），与 {tags} 同步；疑似设备振动等机械干扰电化学传感器，建议加装减振支架或移位，并标记「设备振动干扰」。",
            "en": f"Spikes {win_en} (sudden jumps up to {top:g} {u} and back to zero, {spikes} episodes), coinciding with {tags_en}; "
            "likely mechanical interference with the sensor — consider a damping mount or moving it.",
        }
    if a.verdict == "recurring_unexplained":
        return {
            "zh-CN": f"尖峰（最高 {top:g} {u}）在 {win} 反复出现（{spikes} 次），已导入的 SCADA 信号中无同步项；请导入同时段设备运行数据继续排查。",
            "en": f"Spikes up to {top:g} {u} recur {win_en} ({spikes} episodes); no imported SCADA signal coincides — import the "
            "equipment data for those hours.",
        }
    return {
        "zh-CN": f"发现 {len(a.episodes)} 次零散尖峰（最高 {top:g} {u}），无固定时段规律。",
        "en": f"{len(a.episodes)} sporadic spikes (up to {top:g} {u}) with no time-of-day pattern.",
    }
