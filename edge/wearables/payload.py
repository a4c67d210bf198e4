"""The wristband payload (docs/edge.md "Wearables"): JSON, `type` says which message it is.

Unknown keys are ignored (a newer firmware may add some); a missing or out-of-range known key is
an error, and the message is dropped. Plan positions carry the server's limits, so a message the
node accepts is never refused by the API later.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

BandId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Coord = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class Position(msgspec.Struct):
    x: Coord  # site-plan pixels (the site's UWB/BLE anchors are surveyed onto the plan)
    y: Coord


class Gps(msgspec.Struct):
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class _Band(msgspec.Struct, kw_only=True, tag_field="type"):
    band: BandId
    ts: Annotated[float, msgspec.Meta(gt=1_000_000_000)] | None = None  # Unix seconds; None: receipt time
    pos: Position | None = None
    gps: Gps | None = None
    area: Annotated[str, msgspec.Meta(max_length=32)] | None = None  # plant area code, from a beacon


class Telemetry(_Band, tag="telemetry"):
    """The band's periodic report (every few seconds)."""

    hr: Annotated[int, msgspec.Meta(ge=0, le=300)] | None = None  # heart rate, bpm
    skin_c: Annotated[float, msgspec.Meta(ge=0, le=50)] | None = None
    amb_c: Annotated[float, msgspec.Meta(ge=-60, le=80)] | None = None
    rh: Annotated[float, msgspec.Meta(ge=0, le=100)] | None = None  # ambient relative humidity, %
    battery: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    moving: bool | None = None  # the band's accelerometer; None: judged from the position


class Event(_Band, tag="event"):
    """A button press or the band's own fall detection: sent at once, never downsampled."""

    event: Literal["sos", "fall"]


BandMessage = Telemetry | Event
_decoder = msgspec.json.Decoder(BandMessage)


def decode(raw: bytes) -> BandMessage:
    """One message; raises msgspec.ValidationError / DecodeError on anything else."""
    return _decoder.decode(raw)


def decode_many(raw: bytes) -> list[BandMessage]:
    """An HTTP body: one message or a JSON array of them."""
    stripped = raw.lstrip()
    if stripped.startswith(b"["):
        return msgspec.json.decode(raw, type=list[BandMessage])
    return [decode(raw)]


def heat_index_c(temp_c: float, rh: float) -> float:
    """NWS heat index (Rothfusz regression; Steadman's simple form below 80 °F), in °C."""
    t = temp_c * 9 / 5 + 32
    simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094)
    if (simple + t) / 2 < 80:
        hi = simple
    else:
        hi = (
            -42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh - 6.83783e-3 * t * t
            - 5.481717e-2 * rh * rh + 1.22874e-3 * t * t * rh + 8.5282e-4 * t * rh * rh
            - 1.99e-6 * t * t * rh * rh
        )  # fmt: skip
    return (hi - 32) * 5 / 9
