"""Register words → numbers (pymodbus's converter) and a detector's value → %LEL / O₂ %."""

from __future__ import annotations

from pymodbus.client import AsyncModbusTcpClient

from backend.gas.units import lel_from_ppm, lel_from_vol
from edge.config import GasDetector

_TYPES = {
    "uint16": AsyncModbusTcpClient.DATATYPE.UINT16,
    "int16": AsyncModbusTcpClient.DATATYPE.INT16,
    "uint32": AsyncModbusTcpClient.DATATYPE.UINT32,
    "int32": AsyncModbusTcpClient.DATATYPE.INT32,
    "float32": AsyncModbusTcpClient.DATATYPE.FLOAT32,
}


def word_count(kind: str) -> int:
    return _TYPES[kind].value[1]


def decode(words: list[int], kind: str, word_order: str = "big") -> float:
    value = AsyncModbusTcpClient.convert_from_registers(
        words,
        _TYPES[kind],
        word_order="little" if word_order == "little" else "big",
    )
    assert isinstance(value, int | float)
    return float(value)


def encode(value: float, kind: str, word_order: str = "big") -> list[int]:
    """The simulator's half: a number as the detector would hold it in its registers."""
    number: int | float = value if kind == "float32" else round(value)
    return AsyncModbusTcpClient.convert_to_registers(
        number, _TYPES[kind], word_order="little" if word_order == "little" else "big"
    )


def to_reading(d: GasDetector, value: float) -> tuple[float | None, float | None]:
    """(lel_percent, o2_percent) of a scaled value, by what the detector reports.

    ppm and % v/v → %LEL by backend/gas/units.py (1 %LEL = LEL × 100 ppm), the conversion the
    server's limits and root-cause analysis use back.
    """
    if d.reports == "o2_percent":
        return None, round(value, 3)
    if d.reports == "ppm":
        value = lel_from_ppm(value, d.lel())
    elif d.reports == "vol_percent":
        value = lel_from_vol(value, d.lel())
    return round(value, 4), None
