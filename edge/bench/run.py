"""`tezuo bench edge [--quick] [-- --onnx PATH --pt PATH]`: prints a table, then one JSON line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from backend.config import Settings
from edge.bench.alarms import score
from edge.bench.detectors import backends, time_detector
from edge.bench.interlock import interlock_ms
from edge.bench.polling import measure
from edge.sim.scenes import shift


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run(settings: Settings, args: argparse.Namespace) -> int:
    parser = argparse.ArgumentParser(prog="tezuo bench edge --")
    parser.add_argument("--onnx", help="a YOLO .onnx to time (docs/MODELS.md)")
    parser.add_argument("--pt", help="a YOLO .pt to time through ultralytics")
    opts = parser.parse_args(args.options)
    quick = bool(args.quick)
    logging.getLogger("edge").setLevel(logging.ERROR)  # the interlock's per-write warnings are not figures
    rounds = 5 if quick else 30

    with tempfile.TemporaryDirectory() as tmp:
        configs = await asyncio.to_thread(backends, opts.onnx, opts.pt, Path(tmp))
        detectors = {
            name: await asyncio.to_thread(time_detector, cfg, rounds) for name, cfg in configs.items()
        }
    scene = shift(600 if quick else 3600)
    filtered = score(scene, hold_s=5, window_s=10)
    raw = score(scene, hold_s=0, window_s=1)
    # Against the fastest detector measured: the hardest case for the < 5 % target.
    fastest = min((d["ms_per_frame"] for d in detectors.values() if d["ms_per_frame"]), default=None)
    overhead = filtered.us_per_frame / 1000 / fastest * 100 if fastest else None
    polling = await measure(64, 3 if quick else 20, _port())
    action_ms = await interlock_ms(5 if quick else 30)

    print("detector (640×480 frame, one core)   ms/frame   p95 ms   note")
    for name, d in detectors.items():
        print(f"  {name:<34} {d.get('ms_per_frame')!s:>8} {d.get('p95_ms', '')!s:>8}   {d.get('note', '')}")
    print(
        f"rule engine: {filtered.us_per_frame:.0f} µs/frame"
        + (
            f" = {overhead:.3f} % of the fastest detector's time (target < 5 %)"
            if overhead is not None
            else ""
        )
    )
    print(
        f"scripted shift ({scene.duration_s / 3600:.2f} h, {filtered.violations} real violations,"
        " glitches 0.5–2.5 s):"
    )
    for label, s in (("persistence 5 s / 10 s", filtered), ("no persistence (raw)", raw)):
        delay = f"{s.delays_s[len(s.delays_s) // 2]:.1f} s" if s.delays_s else "-"
        print(
            f"  {label:<24} alarms {s.alarms:>4}  false {s.false_alarms:>4} ({100 * s.false_rate:.1f} %)"
            f"  caught {s.caught}/{s.violations}  median delay {delay}"
        )
    print(
        f"polling 64 detectors at 1 Hz on 4 TCP gateways: {polling['cpu_percent']} % of one core, "
        f"{polling['readings_per_s']} readings/s, {polling['missed']} missed"
    )
    print(
        f"unpermitted work → power-cut coil written and read back: p50 {action_ms['p50_ms']} ms, "
        f"max {action_ms['max_ms']} ms (target ≤ 1000 ms)"
    )
    figures: dict[str, Any] = {
        "bench": "edge",
        "detectors": detectors,
        "rule_engine_us_per_frame": round(filtered.us_per_frame, 1),
        "rule_engine_percent_of_detector": round(overhead, 3) if overhead is not None else None,
        "false_alarm_percent": round(100 * filtered.false_rate, 2),
        "false_alarm_percent_raw": round(100 * raw.false_rate, 2),
        "violations_caught": [filtered.caught, filtered.violations],
        "median_detection_delay_s": filtered.delays_s[len(filtered.delays_s) // 2]
        if filtered.delays_s
        else None,
        "polling_64_at_1hz": polling,
        "interlock_ms": action_ms,
        "target_false_alarm_percent": 3.2,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0
