"""`tezuo edge …`: run the node, run the site simulator, train and export a detector."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from backend.config import Settings


def register(sub: Any) -> None:
    edge = sub.add_parser(
        "edge", help="the edge node: gas detectors, cameras, rules, interlocks"
    ).add_subparsers(dest="edge_command", required=True)
    run = edge.add_parser("run", help="run the node with its edge.toml")
    run.add_argument("--config", required=True, help="path to edge.toml (see edge/edge.example.toml)")
    run.add_argument("--log-level", default="INFO")
    run.set_defaults(func=_run)
    sim = edge.add_parser("sim", help="serve a simulated site (gas detectors, PLC) over Modbus TCP")
    sim.add_argument("--host", default="127.0.0.1", help="0.0.0.0 inside a container")
    sim.add_argument("--port", type=int, default=5020)
    sim.add_argument("--leak-after", type=float, default=None, help="start a methane leak after N seconds")
    sim.add_argument("--seconds", type=float, default=None, help="stop after N seconds (default: never)")
    add_band_options(sim)
    sim.set_defaults(func=_sim)
    train = edge.add_parser("train", help="fine-tune a YOLO model on a labelled dataset (extra edge-train)")
    train.add_argument("dataset", help="an ultralytics dataset yaml, or a new folder for a tiny demo set")
    train.add_argument("--model", default="yolov8n.yaml", help="architecture yaml or a starting .pt")
    train.add_argument("--epochs", type=int, default=50)
    train.add_argument("--imgsz", type=int, default=640)
    train.add_argument("--batch", type=int, default=8)
    train.add_argument("--out", default="var/edge/train")
    train.set_defaults(func=_train)
    export = edge.add_parser("export", help="write the ONNX the edge runs from trained weights")
    export.add_argument("weights", help="a .pt from `tezuo edge train`")
    export.add_argument("--imgsz", type=int, default=640)
    export.set_defaults(func=_export)
    demo = edge.add_parser("demo-config", help="write an edge.toml for the demo plant (`make run` uses it)")
    demo.add_argument("--out", default="var/edge-demo.toml")
    demo.add_argument("--api", default="http://127.0.0.1:8000")
    demo.add_argument("--modbus-port", type=int, default=5020)
    demo.add_argument("--mqtt", default="127.0.0.1:1883")
    demo.add_argument("--data-dir", default="var/edge-demo")
    demo.set_defaults(func=_demo_config)
    check = edge.add_parser("check", help="validate an edge.toml and print what it configures")
    check.add_argument("--config", required=True)
    check.set_defaults(func=_check)


def add_band_options(parser: Any) -> None:
    """The simulator's scripted wristbands (also on `tezuo sim site`)."""
    parser.add_argument("--mqtt", default="127.0.0.1:1883", help="broker the wristbands publish to")
    parser.add_argument("--band-topic", default="tezuo/bands", help="they publish to TOPIC/<band id>")
    parser.add_argument("--sos-after", type=float, default=90.0, help="WB-02 presses SOS after N seconds")
    parser.add_argument("--no-bands", action="store_true", help="no wristbands")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from edge.config import load
    from edge.node import Node

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    node = Node(load(args.config))

    async def main() -> None:
        try:
            await node.run()
        finally:
            await node.close()

    asyncio.run(main())
    return 0


def _sim(args: argparse.Namespace, settings: Settings) -> int:
    from edge.sim.run import BandOptions, serve

    logging.basicConfig(level="WARNING")
    bands = None if args.no_bands else BandOptions(args.mqtt, args.band_topic, args.sos_after)
    asyncio.run(serve(args.host, args.port, args.leak_after, args.seconds, bands))
    return 0


def _demo_config(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from backend.db.engine import make_engine, make_sessionmaker, transaction
    from edge.demo_config import demo_config

    async def main() -> tuple[str, list[str]]:
        engine = make_engine(settings.database_url)
        try:
            async with transaction(make_sessionmaker(engine)) as db:
                return await demo_config(
                    db, api=args.api, modbus_port=args.modbus_port, mqtt=args.mqtt, data_dir=args.data_dir
                )
        finally:
            await engine.dispose()

    text, done = asyncio.run(main())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.chmod(0o600)  # it holds the node's token
    for line in done:
        print(f"  {line}")
    print(f"edge node config: {args.out} (a fresh token; earlier tokens of the demo node are revoked)")
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from edge.config import load

    c = load(args.config)
    print(
        f"node {c.node}: {len(c.buses)} bus(es), {len(c.gas)} gas detector(s), "
        f"{len(c.scada)} SCADA point(s), "
        f"PLC {'yes' if c.plc else 'no'}{' (dry-run)' if c.plc and c.plc.dry_run else ''}, "
        f"{len(c.cameras)} camera(s), {len(c.zones)} zone(s), {len(c.rules) or 'default'} rule(s)"
    )
    if (w := c.wearables) is not None:
        mqtt = f"MQTT {w.mqtt_host}:{w.mqtt_port} {w.mqtt_topic}/<band>" if w.mqtt_host else "no MQTT"
        http = f"HTTP {w.http_host}:{w.http_port}/bands" if w.http_port is not None else "no HTTP"
        print(f"wristbands: {mqtt}, {http}")
    return 0


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from edge.train import make_dataset, train

    data = Path(args.dataset)
    if data.is_dir() or not data.exists():
        data = make_dataset(data)
        print(f"generated a tiny demo dataset: {data}")
    best = train(data, args.model, args.epochs, args.imgsz, Path(args.out), args.batch)
    print(f"weights: {best}\nnext: tezuo edge export {best}")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from edge.train import export

    print(f"onnx: {export(Path(args.weights), args.imgsz)}")
    return 0
