"""`tezuo gas edge-node` prints a device token that the readings API accepts; `tezuo gas detector` binds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from backend.cli import main
from backend.db.engine import transaction
from backend.org.models import Area


async def test_edge_node_token_and_detector_binding(
    org, sessionmaker, settings, database_url, monkeypatch, capsys, app_client, clock
) -> None:
    async with transaction(sessionmaker) as db:
        area = Area(site_id=org.site_a.id, workshop_id=org.workshop_a.id, code="A-1", name="装置区")
        area.hazard_class, area.plan_polygon, area.scope_path = (
            "fire_class_a",
            [[0, 0], [1, 0]],
            org.site_a.path,
        )
        db.add(area)
    monkeypatch.setenv("TEZUO_DATABASE_URL", database_url)
    monkeypatch.setenv("TEZUO_DATA_DIR", str(settings.data_dir))
    assert await _run(["gas", "edge-node", "--site", "SA", "--name", "edge-1"]) == 0
    token = re.search(r"device token \(shown once\): (\S+)", capsys.readouterr().out)
    assert token
    args = ["gas", "detector", "--area", "A-1", "--code", "GD-1", "--gas", "methane", "--edge-node", "edge-1"]
    assert await _run(args) == 0
    assert await _run(["gas", "detector", "--area", "A-1", "--code", "GD-2", "--gas", "unobtainium"]) == 2
    clock.now = datetime.now(UTC)
    reading = {"detector": "GD-1", "measured_at": clock.now.isoformat(), "lel_percent": 1.0}
    res = await app_client.post(
        "/api/gas/readings",
        json={"readings": [reading]},
        headers={"authorization": f"Bearer {token.group(1)}"},
    )
    assert res.status_code == 200 and res.json()["accepted"] == 1
    res = await app_client.post(
        "/api/gas/readings", json={"readings": [reading]}, headers={"authorization": "Bearer x"}
    )
    assert res.status_code == 401 and res.json()["code"] == "device_token_invalid"


async def _run(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(main, argv)
