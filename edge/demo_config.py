"""`tezuo edge demo-config`: an edge.toml for the demo plant, so `make run` has a live site.

It takes the demo's edge node (a fresh token each time, earlier ones revoked), binds the site
simulator's detectors to demo detector codes, and registers the simulator's wristbands WB-01..03
to three people of the demo workshop. Idempotent: run it before every start.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import Device
from backend.core.clock import utcnow
from backend.demo.staff import DEMO_WORKSHOP
from backend.devices.service import create_device, issue_token, revoke_tokens
from backend.gas.models import GasDetector
from backend.org.models import OrgUnit
from backend.people.models import Person

BANDS = ("WB-01", "WB-02", "WB-03")
# The simulator's units (edge/sim/run.py example_site): CH₄ %LEL tenths on 1, H₂S ppm float32 on 2.
GAS = """
[[gas]]
code = "{methane}"
bus = "sim"
unit = 1
address = 0
scale = 0.1
gas = "methane"
lel_vol_percent = 5.0
reports = "lel_percent"
alarm_lel_percent = 10
interval_s = 5

[[gas]]
code = "{h2s}"
bus = "sim"
unit = 2
address = 4
type = "float32"
gas = "hydrogen_sulfide"
lel_vol_percent = 4.0
reports = "ppm"
interval_s = 5

# Pump P-3 (the simulator's unit 4): the SCADA series the gas root-cause analysis correlates.
[[scada]]
tag = "P-3.vibration_hz"
bus = "sim"
unit = 4
address = 0
source = "holding"
type = "uint16"
scale = 0.1
interval_s = 5

[[scada]]
tag = "P-3.running"
bus = "sim"
unit = 4
address = 0
source = "discrete_input"
interval_s = 5
"""
TEMPLATE = """# Written by `tezuo edge demo-config` for `make run`; regenerated on every start.
node = "edge-demo"
data_dir = "{data_dir}"

[uplink]
url = "{api}"
token = "{token}"
permits_every_s = 30
health_every_s = 15

[[buses]]
name = "sim"
host = "127.0.0.1"
port = {modbus_port}
{gas}
[plc]
bus = "sim"
unit = 100
alarm_coil = 0
alarm_hold_s = 30

[wearables]
mqtt_host = "{mqtt_host}"
mqtt_port = {mqtt_port}
mqtt_topic = "tezuo/bands"
uplink_every_s = 5
"""


async def demo_config(
    db: AsyncSession, *, api: str, modbus_port: int, mqtt: str, data_dir: str
) -> tuple[str, list[str]]:
    """The edge.toml text, and what was registered (for the console)."""
    site = await db.scalar(select(OrgUnit).where(OrgUnit.code == "NJ1", OrgUnit.kind == "site"))
    if site is None:
        raise SystemExit("no demo plant: run `tezuo demo` first")
    now = utcnow()
    done: list[str] = []
    edge = await db.scalar(select(Device).where(Device.kind == "edge", Device.site_id == site.id).limit(1))
    if edge is None:
        edge, _ = await create_device(
            db, kind="edge", name="NJ1 边缘节点（演示）", site=site, person_id=None, now=now
        )
    await revoke_tokens(db, edge.id, now)
    token = await issue_token(db, edge, now)
    detectors = list(
        await db.scalars(select(GasDetector).where(GasDetector.site_id == site.id).order_by(GasDetector.code))
    )
    methane = next((d.code for d in detectors if d.gas == "methane"), None)
    h2s = next((d.code for d in detectors if d.gas == "hydrogen_sulfide"), None)
    for d in (methane, h2s):
        if d is None:
            continue
        detector = next(x for x in detectors if x.code == d)
        detector.device_id = edge.id  # the demo node uplinks its readings
    gas = GAS.format(methane=methane, h2s=h2s) if methane and h2s else ""
    done.append(f"detectors {methane}, {h2s}" if gas else "no demo detectors: gas polling off")
    workshop = await db.scalar(select(OrgUnit).where(OrgUnit.code == DEMO_WORKSHOP))
    people = list(
        await db.scalars(
            select(Person)
            .where(Person.unit_path.startswith(workshop.path if workshop else site.path))
            .order_by(Person.name)
            .limit(len(BANDS))
        )
    )
    for band, person in zip(BANDS, people, strict=False):
        known = await db.scalar(
            select(Device).where(Device.kind == "wearable", Device.site_id == site.id, Device.name == band)
        )
        if known is None:
            known, _ = await create_device(
                db, kind="wearable", name=band, site=site, person_id=person.id, now=now
            )
        wearer = await db.get(Person, known.person_id) if known.person_id else None
        done.append(f"wristband {band} → {wearer.name if wearer else '—'}")
    host, _, port = mqtt.rpartition(":")
    text = TEMPLATE.format(
        data_dir=data_dir, api=api, token=token, modbus_port=modbus_port, gas=gas,
        mqtt_host=host, mqtt_port=int(port),
    )  # fmt: skip
    return text, done
