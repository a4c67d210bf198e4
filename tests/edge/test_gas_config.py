"""A detector's LEL on the node must be the one the server's gas lock converts back with."""

from __future__ import annotations

import msgspec
import pytest

from edge.config import GasDetector, load
from edge.modbus.registers import to_reading


def test_the_lel_defaults_to_the_servers_and_converts_with_it():
    d = GasDetector(code="GD-9", bus="line1", address=0, gas="hydrogen_sulfide", reports="ppm")
    assert d.lel_vol_percent == 4.0  # backend/gas/data/gases.json
    assert to_reading(d, 28.0) == (0.07, None)  # 28 ppm / (4.0 % × 100 ppm) = 0.07 %LEL


def test_a_different_lel_is_refused_naming_both_values():
    with pytest.raises(ValueError, match=r"lel_vol_percent = 4.3 but the server's gas lock uses 4"):
        GasDetector(code="GD-9", bus="line1", address=0, gas="hydrogen_sulfide", lel_vol_percent=4.3)
    assert GasDetector(code="GD-9", bus="line1", address=0, gas="methane", lel_vol_percent=5.02).lel() == 5.02


def test_an_unknown_gas_is_refused_and_an_oxygen_cell_needs_no_lel():
    with pytest.raises(ValueError, match=r"gas 'metane' is not in the server's gas table"):
        GasDetector(code="GD-9", bus="line1", address=0, gas="metane")
    o2 = GasDetector(code="GD-9", bus="line1", address=0, gas="oxygen", reports="o2_percent")
    assert to_reading(o2, 20.9) == (None, 20.9)
    with pytest.raises(ValueError, match="no LEL"):
        o2.lel()


def test_edge_toml_with_a_wrong_lel_does_not_load(tmp_path):
    path = tmp_path / "edge.toml"
    path.write_text(
        'node = "n1"\n[uplink]\nurl = "http://localhost:8000"\ntoken = "tzd_x"\n'
        '[[buses]]\nname = "line1"\nhost = "127.0.0.1"\nport = 5020\n'
        '[[gas]]\ncode = "GD-9"\nbus = "line1"\naddress = 0\ngas = "methane"\nlel_vol_percent = 4.4\n'
    )
    with pytest.raises(msgspec.ValidationError, match="server's gas lock uses 5"):
        load(path)
