"""edge.toml: uplink, Modbus buses, gas detectors, PLC, cameras, zones and rules (msgspec-checked)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from backend.permits.catalogue import gases

Positive = Annotated[float, msgspec.Meta(gt=0)]
Unit = Annotated[int, msgspec.Meta(ge=0, le=247)]
Address = Annotated[int, msgspec.Meta(ge=0, le=65535)]


class Strict(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base: an unknown key in edge.toml is a typo, and a typo is an error."""


class Uplink(Strict, kw_only=True):
    url: str  # the API, e.g. https://tezuo.example.com
    token: str  # the device token `tzd_…` from `tezuo gas edge-node`
    batch: Annotated[int, msgspec.Meta(ge=1, le=500)] = 100
    timeout_s: Positive = 5.0
    interval_s: Positive = 1.0  # drain cadence while the queue is empty
    backoff_max_s: Positive = 60.0
    permits_every_s: Positive = 30.0
    health_every_s: Positive = 30.0
    clip_timeout_s: Positive = 300.0  # one clip upload (its own lane) may take this long on a slow link


class Bus(Strict, kw_only=True):
    """One Modbus line: TCP (framer `socket`), RTU over a serial port, or RTU framing over TCP."""

    name: str
    transport: Literal["tcp", "serial"] = "tcp"
    framer: Literal["socket", "rtu"] = "socket"
    host: str = "127.0.0.1"
    port: int = 502
    serial_port: str = "/dev/ttyUSB0"
    baudrate: int = 9600
    timeout_s: Positive = 1.0
    frame_delay_ms: Annotated[float, msgspec.Meta(ge=0)] = 20.0  # quiet time between two frames
    backoff_initial_s: Positive = 1.0
    backoff_max_s: Positive = 60.0


class GasDetector(Strict, kw_only=True):
    """A detector's register map. `reports` says what the scaled register value is."""

    code: str  # the detector code registered on the server (`tezuo gas detector`)
    bus: str
    unit: Unit = 1
    address: Address
    register: Literal["holding", "input"] = "holding"
    type: Literal["uint16", "int16", "uint32", "int32", "float32"] = "uint16"
    word_order: Literal["big", "little"] = "big"
    scale: float = 1.0  # value = raw × scale
    gas: str  # calibration gas, e.g. methane, hydrogen_sulfide
    # its LEL in % v/v; by default the server's (backend/gas/data/gases.json: methane 5.0, H₂S 4.0)
    lel_vol_percent: Positive | None = None
    reports: Literal["lel_percent", "ppm", "vol_percent", "o2_percent"] = "lel_percent"
    interval_s: Positive = 1.0
    alarm_lel_percent: Positive | None = None  # raise gas_over_limit on the node itself above this

    def __post_init__(self) -> None:
        """The node turns ppm and % v/v into %LEL with this LEL, and the server's gas lock turns %LEL
        back into % v/v (GB 30871 §5.3.2) with its own table: two different LELs would shift every
        reading. So the gas must be one the server knows, and a configured LEL must be the server's."""
        if self.reports == "o2_percent":
            return
        known = gases().get(self.gas)
        if known is None:
            raise ValueError(
                f"gas detector {self.code}: gas {self.gas!r} is not in the server's gas table"
                f" (backend/gas/data/gases.json: {', '.join(sorted(gases()))})"
            )
        lel = float(known["lel_vol_percent"])
        if self.lel_vol_percent is None:
            self.lel_vol_percent = lel
        elif abs(self.lel_vol_percent - lel) > 0.01 * lel:
            raise ValueError(
                f"gas detector {self.code}: lel_vol_percent = {self.lel_vol_percent:g} but the server's"
                f" gas lock uses {lel:g} for {self.gas}; drop the key (the server's value is the default)"
                " or correct it"
            )

    def lel(self) -> float:
        """The LEL in % v/v (set for every detector that is not an O₂ cell)."""
        if self.lel_vol_percent is None:
            raise ValueError(f"gas detector {self.code} reports O₂, which has no LEL")
        return self.lel_vol_percent


class ScadaPoint(Strict, kw_only=True):
    """A SCADA point read beside the detectors (pump vibration, run state), uplinked as a series.

    `source` says which Modbus table holds it: registers (decoded by `type` × `scale`, like a
    detector) or a single bit (coil / discrete input: 1.0 on, 0.0 off).
    """

    tag: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]  # the series name, e.g. "P-3.vibration_hz"
    bus: str
    unit: Unit = 1
    address: Address
    source: Literal["holding", "input", "coil", "discrete_input"] = "holding"
    type: Literal["uint16", "int16", "uint32", "int32", "float32"] = "uint16"
    word_order: Literal["big", "little"] = "big"
    scale: float = 1.0  # value = raw × scale (registers only)
    interval_s: Positive = 5.0


class Plc(Strict, kw_only=True):
    bus: str
    unit: Unit = 1
    alarm_coil: Address | None = None  # the on-site audible/visual alarm (声光报警)
    dry_run: bool = False  # log what would be written, write nothing
    alarm_hold_s: Positive = 30.0  # the alarm coil stays on this long after the last tier-1 alarm


ZoneKind = Literal["general", "height", "crane_radius", "confined_entrance", "no_go"]


class Zone(Strict, kw_only=True):
    """A polygon in a camera's image (pixels), bound to a plant area by its code."""

    code: str
    area_code: str
    camera: str
    kind: ZoneKind = "general"
    polygon: Annotated[list[tuple[float, float]], msgspec.Meta(min_length=3)]
    permit_types: list[str] = []  # work types a permit must have for activity here to be permitted
    gas_detectors: list[str] = []  # detector codes that clear entry (confined spaces)
    max_people: int | None = None  # crowding limit (manholes)
    power_coil: Address | None = None  # the PLC coil that cuts this zone's equipment power
    cut_power: bool = False  # the operator wired and enabled the cut (需预接PLC控制模块)


class Rule(Strict, kw_only=True):
    """A behaviour rule and its persistence filter; `kind` is the alarm kind the server routes."""

    name: str
    enabled: bool = True
    hold_s: Annotated[float, msgspec.Meta(ge=0)] = 5.0  # the violation must add up to this…
    window_s: Positive = 10.0  # …within this sliding window, per tracked person
    cooldown_s: Annotated[float, msgspec.Meta(ge=0)] = 60.0
    tier: Literal[1, 2] = 2  # 1: on-site alarm coil too


class OnnxDetector(Strict, kw_only=True, tag="onnx"):
    path: str
    input_size: int = 640
    confidence: float = 0.35
    iou: float = 0.45
    labels: list[str] = []  # class names in the model's order (COCO's when empty and 80 classes)
    threads: Annotated[int, msgspec.Meta(ge=0)] = 0  # onnxruntime intra-op threads; 0: one per core


class UltralyticsDetector(Strict, kw_only=True, tag="ultralytics"):
    path: str
    input_size: int = 640
    confidence: float = 0.35


class HogDetector(Strict, kw_only=True, tag="hog"):
    stride: int = 8
    scale: float = 1.05
    min_score: float = 0.3


class ScriptedDetector(Strict, kw_only=True, tag="scripted"):
    script: str  # a JSON file of frames (edge/sim/scenes.py writes them) or a built-in scene name


DetectorConfig = OnnxDetector | UltralyticsDetector | HogDetector | ScriptedDetector


class Camera(Strict, kw_only=True):
    name: str
    source: str  # file path, rtsp://…, http://… (anything cv2.VideoCapture opens), or "scripted"
    detector: DetectorConfig
    sample_fps: Positive = 2.0
    clip_s: Positive = 10.0  # the clip written around an alarm: this much before and after


class Wearables(Strict, kw_only=True):
    """Wristbands reaching the node over MQTT and/or HTTP (docs/edge.md "Wearables")."""

    mqtt_host: str | None = "127.0.0.1"  # the site's broker; None: no MQTT
    mqtt_port: int = 1883
    mqtt_topic: str = "tezuo/bands"  # bands publish to <topic>/<band id>
    mqtt_username: str | None = None
    mqtt_password: str | None = None
    http_port: int | None = None  # POST /bands on the node; None: no HTTP ingest
    http_host: str = "127.0.0.1"
    http_token: str | None = None  # bands (or their phone app) send `Authorization: Bearer <it>`
    uplink_every_s: Annotated[float, msgspec.Meta(ge=0)] = 5.0  # a band's telemetry at most this often
    bands_every_s: Positive = 60.0  # refresh band id → wearer from the API
    heart_rate_low: int = 40
    heart_rate_high: int = 150
    heat_index_c: float = 40.0  # ambient temperature + humidity (NWS heat index) at or above: heat stress
    skin_temp_high_c: float = 38.5  # …or the band's skin temperature at or above
    still_s: Positive = 120.0  # no movement for this long while the band reports: possible collapse
    offline_s: Positive = 60.0  # silent this long while a permit is active in its area
    report_every_s: Positive = 5.0  # the bands' reporting period: each report stands for at most 2× this
    rules: list[Rule] = []  # vitals_abnormal, heat_stress, no_movement, wearable_offline, sos, fall_detected


class EdgeConfig(Strict, kw_only=True):
    node: str = "edge"
    data_dir: str = "var/edge"  # the queue (SQLite), snapshots and clips
    uplink: Uplink
    buses: list[Bus] = []
    gas: list[GasDetector] = []
    scada: list[ScadaPoint] = []
    plc: Plc | None = None
    cameras: list[Camera] = []
    zones: list[Zone] = []
    rules: list[Rule] = []
    wearables: Wearables | None = None

    def __post_init__(self) -> None:
        buses = {b.name for b in self.buses}
        for d in self.gas:
            if d.bus not in buses:
                raise ValueError(f"gas detector {d.code}: no bus named {d.bus!r}")
        tags = set()
        for p in self.scada:
            if p.bus not in buses:
                raise ValueError(f"scada point {p.tag}: no bus named {p.bus!r}")
            if p.tag in tags:
                raise ValueError(f"scada point {p.tag}: the tag is used twice")
            tags.add(p.tag)
        if self.plc is not None and self.plc.bus not in buses:
            raise ValueError(f"plc: no bus named {self.plc.bus!r}")
        cameras = {c.name for c in self.cameras}
        for z in self.zones:
            if z.camera not in cameras:
                raise ValueError(f"zone {z.code}: no camera named {z.camera!r}")
            if z.cut_power and (self.plc is None or z.power_coil is None):
                raise ValueError(f"zone {z.code}: cut_power needs a [plc] and a power_coil")


def load(path: str | Path) -> EdgeConfig:
    """Read and check edge.toml; errors name the key that is wrong."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    return msgspec.convert(raw, EdgeConfig)
