"""The node config `make run` writes (`tezuo edge demo-config`) is a valid edge.toml: both demo
detectors, pump P-3's SCADA points, the PLC and the wristband gateway."""

from __future__ import annotations

from pathlib import Path

from edge import config, demo_config


def test_the_demo_node_config_parses_with_gas_scada_plc_and_bands(tmp_path: Path) -> None:
    text = demo_config.TEMPLATE.format(
        data_dir=tmp_path / "edge", api="http://localhost:8000", token="tok", modbus_port=5020,
        gas=demo_config.GAS.format(methane="GD-CH4", h2s="GD-H2S"), mqtt_host="127.0.0.1", mqtt_port=1883,
    )  # fmt: skip
    path = tmp_path / "edge.toml"
    path.write_text(text, encoding="utf-8")
    cfg = config.load(path)
    assert [(g.code, g.unit) for g in cfg.gas] == [("GD-CH4", 1), ("GD-H2S", 2)]
    assert sorted(p.tag for p in cfg.scada) == ["P-3.running", "P-3.vibration_hz"]
    assert {p.bus for p in cfg.scada} == {"sim"}
    assert cfg.plc is not None and cfg.wearables is not None
