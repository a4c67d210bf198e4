"""Run in the e2e server's environment: `python -m tests.e2e.detector_plant`. A site of its own
(E2E-S8 → E2E-W8 → E2E-T8) with an area and an H₂S detector that has watched the last 7 days with
the seed's night-time pump-vibration artefact, and pump P-3's SCADA series beside it (the data the
root-cause analysis and the acceptance report read). Each run adds a fresh detector (a retried
test starts from a never-calibrated one); prints its id and code as JSON."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from backend.analytics import scenarios
from backend.analytics.models import ScadaSample
from backend.config import load_settings
from backend.core.clock import utcnow
from backend.db.engine import make_engine, make_sessionmaker, transaction
from backend.gas.models import GasReading
from backend.gas.service import register_detector
from backend.gas.units import to_lel
from backend.org.models import Area, OrgUnit
from backend.org.service import create_unit

UNITS = [("site", "E2E-S8", "八号厂区"), ("workshop", "E2E-W8", "制冷车间"), ("team", "E2E-T8", "仪表一班")]


async def main() -> dict[str, str]:
    engine = make_engine(load_settings().database_url)
    try:
        async with transaction(make_sessionmaker(engine)) as db:
            parent = await db.scalar(select(OrgUnit).where(OrgUnit.code == "E2E"))
            units = {}
            for kind, unit_code, name in UNITS:
                unit = await db.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
                parent = units[unit_code] = unit or await create_unit(db, kind, unit_code, name, parent)
            site, workshop = units["E2E-S8"], units["E2E-W8"]
            area = await db.scalar(select(Area).where(Area.code == "E2E-A8")) or Area(
                site_id=site.id,
                workshop_id=workshop.id,
                code="E2E-A8",
                name="冷冻站",
                hazard_class="fire_class_a",
                plan_polygon=[[0, 0], [100, 0], [100, 100], [0, 100]],
                scope_path=workshop.path,
            )
            db.add(area)
            await db.flush()
            code = f"GD-{secrets.token_hex(3).upper()}"
            d = await register_detector(
                db, area, code, "冷冻站硫化氢", "hydrogen_sulfide", "fixed", None, area.scope_path
            )
            now = utcnow().replace(second=0, microsecond=0)
            s = scenarios.night_vibration(now - timedelta(days=7, minutes=now.minute % 5))
            now = _before_tonights_spikes(now)
            readings = [
                {"detector_id": d.id, "area_id": area.id, "measured_at": at, "received_at": at,
                 "gas": "hydrogen_sulfide", "lel_percent": to_lel("hydrogen_sulfide", v),
                 "within_limits": True}
                for at, v in s.readings if at < now
            ]  # fmt: skip
            await db.execute(insert(GasReading), readings)
            samples = [
                {"site_id": site.id, "tag": tag, "at": at, "value": v}
                for tag, rows in s.scada.items()
                for at, v in rows
                if at < now
            ]
            if not await db.scalar(select(ScadaSample.id).where(ScadaSample.site_id == site.id).limit(1)):
                await db.execute(insert(ScadaSample), samples)  # the site's pumps: once
            return {"detector_id": str(d.id), "code": code}
    finally:
        await engine.dispose()


def _before_tonights_spikes(now: datetime) -> datetime:
    """Where the series ends. Run while tonight's spikes are under way (03:50–05:40 local, P-3
    running), the newest readings would be a spike that has not fallen back yet — rightly read as a
    possible leak — and the test's verdict would hang on the hour it runs at. So the series then ends
    at 03:50 local, as if the detector's last readings had not come in yet."""
    local = now + scenarios.LOCAL
    start = local.replace(hour=3, minute=50)
    if start <= local < local.replace(hour=5, minute=40):
        return start - scenarios.LOCAL
    return now


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
