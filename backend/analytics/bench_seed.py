"""Seeding for `tezuo bench analytics`: one enterprise's year — permits, alarms, exams,
certificates, weekly calibrations and the gas readings of one detector — by bulk Core inserts."""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert

from backend.alarms.models import Alarm
from backend.analytics.models import AlarmReview, DetectorCalibration, ScadaSample
from backend.analytics.scenarios import night_vibration
from backend.auth.service import open_session
from backend.core.ids import uuid7
from backend.db.engine import transaction
from backend.gas.models import GasDetector, GasReading
from backend.org.models import Area, OrgUnit
from backend.people import service as people
from backend.permits.models import Permit
from backend.workers.models import Assignment, Certificate, PracticalAssessment

# "Now" of the bench: mid-morning, so today's first hours are read live next to the rollups.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
MIDNIGHT = NOW.replace(hour=0)
TRADES = ("hot_work", "confined_space", "work_at_height", "lifting", "temporary_power", "blinding")


def _id_number(n: int) -> str:
    from backend.people.idnumber import check_char

    body = f"110101198{n // 100000 % 10}{1 + n // 10000 % 12:02d}{1 + n // 100 % 28:02d}{n % 100:03d}"
    return body + check_char(body)


async def _bulk(db: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    table = model.__table__
    assert isinstance(table, Table)
    for start in range(0, len(rows), 5000):
        await db.execute(insert(table), rows[start : start + 5000])


async def seed(sm: Any, secret: bytes, permits: int, readings: int) -> dict[str, Any]:
    """A year of one enterprise: 1 site, 3 workshops × 3 teams, 600 workers."""
    rng = random.Random(12)
    since = NOW - timedelta(days=365)
    stamp = {"created_at": NOW, "updated_at": NOW, "version": 1}
    async with transaction(sm) as db:
        from backend.org.service import create_unit

        ent = await create_unit(db, "enterprise", "BE", "基准集团", None)
        site = await create_unit(db, "site", "BS", "基准厂区", ent)
        teams: list[OrgUnit] = []
        areas = []
        for wi in range(3):
            ws = await create_unit(db, "workshop", f"BS-W{wi}", f"车间{wi}", site)
            area = Area(
                site_id=site.id,
                workshop_id=ws.id,
                code=f"BA-{wi}",
                name=f"区{wi}",
                hazard_class="general",
                plan_polygon=[[0, 0], [10, 0], [10, 10]],
                scope_path=ws.path,
            )
            db.add(area)
            areas.append((area, ws))
            for t in range(3):
                teams.append(await create_unit(db, "team", f"BS-W{wi}-T{t}", f"班组{wi}{t}", ws))
        cipher = people.id_cipher(secret)
        boss = await people.create_person(
            db, cipher, name="安全总监", id_number=_id_number(999_999), unit=ent
        )
        await people.grant_role(db, boss, "safety_officer", ent)
        await db.flush()
        workers = []
        for n in range(600):
            team = teams[n % len(teams)]
            workers.append(
                {
                    "id": uuid7(),
                    "name": f"工人{n}",
                    "id_number_enc": "x",
                    "id_number_index": f"bench{n}",
                    "id_number_masked": "1101**",
                    "unit_id": team.id,
                    "unit_path": team.path,
                    "employment": "active",
                    "webauthn_user_id": os.urandom(16),
                    "locale": "zh-CN",
                    **stamp,
                }
            )
        from backend.people.models import Person

        await _bulk(db, Person, workers)
        leaders = {t.path: workers[i]["id"] for i, t in enumerate(teams)}
        rows = []
        for n in range(permits):
            team = teams[n % len(teams)]
            area, ws = areas[(n % len(teams)) // 3]
            sub = since + timedelta(seconds=rng.uniform(0, 365 * 86400 - 6 * 3600))
            appr = sub + timedelta(minutes=rng.uniform(10, 200))
            start = appr + timedelta(minutes=rng.uniform(-5, 60))
            valid = start + timedelta(hours=4)
            done = start + timedelta(hours=rng.uniform(1, 4.4))
            crew = [str(workers[(n * 7 + k) % 600]["id"]) for k in range(2)]
            rows.append(
                {
                    "id": uuid7(),
                    "number": f"BP{n:07d}",
                    "revision": 1,
                    "work_type": TRADES[n % 6],
                    "grade": "2",
                    "status": "closed",
                    "site_id": site.id,
                    "workshop_id": ws.id,
                    "area_id": area.id,
                    "scope_path": ws.path,
                    "applicant_id": leaders[team.path],
                    "operator_ids": crew,
                    "content": "作业",
                    "form": {},
                    "facts": {},
                    "measures": [],
                    "grading": {},
                    "simops": [],
                    "planned_start": start,
                    "planned_end": valid,
                    "valid_until": valid,
                    "current_stage": 0,
                    "submitted_at": sub,
                    "approved_at": appr,
                    "started_at": start,
                    "completed_at": done,
                    **stamp,
                }
            )
        await _bulk(db, Permit, rows)
        alarms, reviews = [], []
        for n in range(permits // 5):
            at = since + timedelta(seconds=rng.uniform(0, 365 * 86400))
            kind = rng.choice(("no_helmet", "no_harness", "no_permit_work", "sos", "gas_over_limit"))
            aid = uuid7()
            alarms.append(
                {
                    "id": aid,
                    "source": "sos" if kind == "sos" else "edge",
                    "kind": kind,
                    "tier": 1,
                    "site_id": site.id,
                    "scope_path": teams[n % 9].path,
                    "state": "resolved",
                    "level": 0,
                    "message": "",
                    "detail": {"work_type": TRADES[n % 6]},
                    "labels": {},
                    "plan": {},
                    "raised_at": at,
                    "received_at": at,
                    "response_seconds": rng.uniform(10, 150),
                    "resolution": "",
                    **stamp,
                }
            )
            if n % 3 == 0:
                reviews.append(
                    {
                        "id": uuid7(),
                        "alarm_id": aid,
                        "verdict": "false_positive" if n % 30 == 0 else "confirmed",
                        "reviewer_id": boss.id,
                        "reviewed_at": at,
                        "note": "",
                    }
                )
        await _bulk(db, Alarm, alarms)
        await _bulk(db, AlarmReview, reviews)
        exams, certs, assigns = [], [], []
        for n, w in enumerate(workers):
            trade = TRADES[n % 6]
            deadline = date(2027, 6, 1) if n % 20 else date(2026, 3, 1)
            certs.append(
                {
                    "id": uuid7(),
                    "person_id": w["id"],
                    "scope_path": w["unit_path"],
                    "family": "mem",
                    "scheme": "mem-2010",
                    "item_key": trade,
                    "number_enc": "x",
                    "number_index": f"c{n}",
                    "number_masked": "T*",
                    "issuing_authority": "",
                    "issued_on": date(2021, 1, 1),
                    "valid_until": deadline,
                    "review_extended": False,
                    "deadline_on": deadline,
                    "deadline_kind": "review",
                    "window_opens_on": deadline - timedelta(days=60),
                    "status": "valid",
                    "photos": [],
                    **stamp,
                }
            )
            assigns.append(
                {
                    "id": uuid7(),
                    "person_id": w["id"],
                    "scope_path": w["unit_path"],
                    "item_key": trade,
                    "assigned_on": date(2025, 1, 1),
                    **stamp,
                }
            )
            for k in range(8):
                exams.append(
                    {
                        "id": uuid7(),
                        "person_id": w["id"],
                        "scope_path": w["unit_path"],
                        "item_key": trade,
                        "assessed_on": (since + timedelta(days=45 * k + n % 40)).date(),
                        "passed": rng.random() > 0.04,
                        "assessor": "考评员",
                        "note": "",
                        **stamp,
                    }
                )
        await _bulk(db, Certificate, certs)
        await _bulk(db, Assignment, assigns)
        await _bulk(db, PracticalAssessment, exams)
        detectors, cals = [], []
        for k in range(20):
            area, ws = areas[k % 3]
            did = uuid7()
            detectors.append(
                {
                    "id": did,
                    "code": f"BD{k}",
                    "name": f"BD{k}",
                    "site_id": site.id,
                    "area_id": area.id,
                    "gas": "hydrogen_sulfide",
                    "kind": "fixed",
                    "scope_path": ws.path,
                    **stamp,
                }
            )
            for week in range(52):
                cals.append(
                    {
                        "id": uuid7(),
                        "detector_id": did,
                        "calibrated_at": since + timedelta(days=7 * week + 1),
                        "reference_gas": "H2S 25ppm",
                        "reference_value": 25.0,
                        "reading": 25 + rng.uniform(-0.7, 0.7),
                        "unit": "ppm",
                        "deviation_percent": round(rng.uniform(-2.8, 2.8), 2),
                        "technician": "仪表工",
                        "scope_path": ws.path,
                        "note": "",
                    }
                )
        await _bulk(db, GasDetector, detectors)
        await _bulk(db, DetectorCalibration, cals)
    # The watched detector: `readings` over the year, the last 7 days being the pump-vibration nights.
    det = detectors[0]
    step = timedelta(seconds=365 * 86400 / readings)
    scen = night_vibration(MIDNIGHT - timedelta(days=7))
    async with transaction(sm) as db:
        batch: list[dict[str, Any]] = []
        at = since
        tail = iter(scen.readings)
        while at < NOW:
            value = round(max(0.0, rng.gauss(0.3, 0.2)), 2) if at < scen.since else next(tail, (at, 0.3))[1]
            batch.append(
                {
                    "id": uuid.uuid4(),
                    "detector_id": det["id"],
                    "area_id": det["area_id"],
                    "measured_at": at,
                    "received_at": at,
                    "gas": "hydrogen_sulfide",
                    "lel_percent": value,
                    "within_limits": True,
                }
            )
            at += step if at < scen.since else timedelta(minutes=1)
            if len(batch) >= 20000:
                await _bulk(db, GasReading, batch)
                batch = []
        await _bulk(db, GasReading, batch)
        scada = [
            {"id": uuid.uuid4(), "site_id": site.id, "tag": tag, "at": t, "value": v}
            for tag, series in scen.scada.items()
            for t, v in series
        ]
        await _bulk(db, ScadaSample, scada)
    async with transaction(sm) as db:
        token = await open_session(db, boss.id, None, NOW, 12)
    return {"token": token, "enterprise": ent.id, "site": site.id, "detector": det["id"]}
