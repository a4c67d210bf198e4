"""The alarm API over HTTP: device ingest, SOS, my alarms, answer, the board and its live stream."""

from __future__ import annotations

import asyncio
import json
import uuid

from tests.backend.alarms.plant import alarm_body, device_headers
from tests.backend.push.support import eventually


async def test_ingest_is_authenticated_and_idempotent(app_client, plant, clock):
    body = alarm_body()
    res = await app_client.post(
        "/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock())
    )
    assert res.status_code == 201, res.text
    assert res.json() | {"alarm_id": None} == {
        "alarm_id": None,
        "tier": 1,
        "state": "raised",
        "duplicate": False,
        "recipients": 4,
    }
    # The edge lost the answer and retries (a new request: new nonce), getting the same alarm.
    again = await app_client.post(
        "/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock())
    )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    unsigned = await app_client.post("/api/alarms/ingest", json=alarm_body())
    assert unsigned.status_code == 401
    bad = await app_client.post(
        "/api/alarms/ingest",
        json={**alarm_body(), "kind": "Bad Kind"},
        headers=device_headers(plant.edge_token, clock()),
    )
    assert bad.status_code == 400


async def test_people_see_answer_and_resolve_over_http(app_client, client_as, plant, clock):
    body = alarm_body("harness_not_high_hook")
    await app_client.post("/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock()))
    guardian = await client_as(plant.people["guardian"])
    [mine] = (await guardian.get("/api/alarms/mine")).json()
    assert mine["id"] == body["alarm_id"] and mine["area_name"] == "聚合装置区" and mine["state"] == "raised"
    stranger = await client_as(plant.people["guardian_b"])
    assert (await stranger.get(f"/api/alarms/{body['alarm_id']}")).status_code == 403
    assert (await stranger.post(f"/api/alarms/{body['alarm_id']}/ack", json={})).status_code == 403
    clock.advance(seconds=12)
    acked = (
        await guardian.post(f"/api/alarms/{body['alarm_id']}/ack", json={"op_id": str(uuid.uuid4())})
    ).json()
    assert acked["state"] == "acknowledged" and acked["response_seconds"] == 12.0
    assert acked["acknowledged_by_name"] == "guardian" and {r["name"] for r in acked["recipients"]} == {
        "guardian",
        "team_leader",
    }
    done = await guardian.post(f"/api/alarms/{body['alarm_id']}/resolve", json={"resolution": "已整改"})
    assert done.json()["state"] == "resolved"
    late = await guardian.post(f"/api/alarms/{body['alarm_id']}/ack", json={})
    assert late.status_code == 409 and late.json()["code"] == "alarm_resolved"


async def test_sos_from_the_app(client_as, plant, clock):
    worker = await client_as(plant.people["worker"])
    sos = {
        "alarm_id": str(uuid.uuid4()),
        "raised_at": clock().isoformat(),
        "gps": {"lat": 31.2285, "lon": 121.472},
    }
    res = await worker.post("/api/alarms/sos", json=sos)
    assert res.status_code == 201 and res.json()["tier"] == 1 and res.json()["recipients"] == 4
    assert (await worker.post("/api/alarms/sos", json=sos)).json()["duplicate"] is True
    [own] = (await worker.get("/api/alarms/mine")).json()  # the person who pressed it follows it too
    assert own["id"] == sos["alarm_id"] and own["state"] == "raised"
    assert (await worker.get(f"/api/alarms/{sos['alarm_id']}")).status_code == 200
    officer = await client_as(plant.people["safety_officer"])
    alarm = (await officer.get(f"/api/alarms/{sos['alarm_id']}")).json()
    assert alarm["kind"] == "sos" and alarm["subject_name"] == "worker" and alarm["area_name"] == "聚合装置区"


async def test_the_board_shows_the_site_and_streams_changes(app_client, client_as, plant, clock, served):
    officer = await client_as(plant.people["safety_officer"])
    site = plant.org.site_a.id
    assert [s["id"] for s in (await officer.get("/api/alarms/sites")).json()] == [str(site)]
    assert (
        await (await client_as(plant.people["worker"])).get(f"/api/alarms/board?site_id={site}")
    ).status_code == 403
    events: list[tuple[str, dict]] = []
    live = await served(plant.people["safety_officer"])  # SSE needs a real socket: the app under uvicorn

    async def listen() -> None:
        async with live.stream("GET", f"/api/alarms/stream?site_id={site}") as res:
            assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
            name = ""
            async for line in res.aiter_lines():
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.append((name, json.loads(line.removeprefix("data: "))))
                    if name == "alarm" and events[-1][1]["state"] == "acknowledged":
                        return

    listening = asyncio.create_task(listen())
    await eventually(lambda: events)
    body = alarm_body()
    await live.post("/api/alarms/ingest", json=body, headers=device_headers(plant.edge_token, clock()))
    await live.post(f"/api/alarms/{body['alarm_id']}/ack", json={})
    await asyncio.wait_for(listening, 10)
    assert [(name, data.get("state")) for name, data in events] == [
        ("hello", None),
        ("alarm", "raised"),
        ("alarm", "acknowledged"),
    ]
    snapshot = (await officer.get(f"/api/alarms/board?site_id={site}")).json()
    assert snapshot["site"]["site"]["id"] == str(site) and snapshot["alarms"][0]["id"] == body["alarm_id"]
    assert snapshot["kpi"]["tiers"][0]["acknowledged"] == 1
    assert {p["name"] for p in snapshot["people"]} >= {
        "guardian",
        "inspector",
        "safety_officer",
        "team_leader",
    }
