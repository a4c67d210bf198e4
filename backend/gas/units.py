"""What a gas is read in: %LEL ↔ % v/v ↔ ppm, and the unit people read a gas in.

The one conversion used by the edge node (a ppm or % v/v register → %LEL for the uplink), the
§5.3.2 limits (%LEL → % v/v) and the root-cause analysis (%LEL → ppm for toxic gases):
1 %LEL = LEL(% v/v) / 100 % v/v = LEL(% v/v) × 100 ppm (H₂S, LEL 4 %: 1 %LEL = 400 ppm).
"""

from __future__ import annotations

from typing import Literal

from backend.permits.catalogue import gases

PPM_PER_VOL_PERCENT = 10_000
Unit = Literal["%LEL", "ppm"]


def lel_from_vol(vol_percent: float, lel_vol_percent: float) -> float:
    return vol_percent / lel_vol_percent * 100


def lel_from_ppm(ppm: float, lel_vol_percent: float) -> float:
    return lel_from_vol(ppm / PPM_PER_VOL_PERCENT, lel_vol_percent)


def vol_from_lel(lel_percent: float, lel_vol_percent: float) -> float:
    return lel_percent * lel_vol_percent / 100


def ppm_from_lel(lel_percent: float, lel_vol_percent: float) -> float:
    return vol_from_lel(lel_percent, lel_vol_percent) * PPM_PER_VOL_PERCENT


def unit_of(gas: str) -> Unit:
    """ppm for the toxic gases (`"read_in": "ppm"` in gases.json: H₂S, CO, NH₃), %LEL otherwise
    (an unknown gas too: its readings are then analysed as stored)."""
    info = gases().get(gas)
    return "ppm" if info is not None and info.get("read_in") == "ppm" else "%LEL"


def from_lel(gas: str, lel_percent: float) -> float:
    """A stored %LEL reading in the unit `unit_of(gas)`."""
    if unit_of(gas) == "ppm":
        return ppm_from_lel(lel_percent, float(gases()[gas]["lel_vol_percent"]))
    return lel_percent


def to_lel(gas: str, value: float) -> float:
    """The inverse of `from_lel`: a value in `unit_of(gas)` as %LEL (scenarios, tests)."""
    if unit_of(gas) == "ppm":
        return lel_from_ppm(value, float(gases()[gas]["lel_vol_percent"]))
    return value
