"""Must-show: an alarm goes edge → `tezuo serve` → push service, encrypted, to the right people only.

Real processes over real sockets: `tezuo serve` (SQLite, then PostgreSQL), `tezuo sim push`, and a
client standing in for the edge node's uplink (the edge issue calls this same API). Each phone's
private key never leaves the test; only it can read its message.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from backend.auth.service import open_session
from backend.db.engine import transaction
from backend.http.deps import SESSION_COOKIE
from backend.push.service import topic_of
from tests.backend.alarms.edge_uplink import EdgeUplink, subscribe_phones, wait_for_deliveries
from tests.backend.alarms.plant import make_plant
from tests.backend.alarms.processes import SECRET, Stack


@pytest.fixture
def stack(tmp_path, database_url):
    stack = Stack(tmp_path, database_url)
    yield stack
    stack.stop()


async def test_alarm_reaches_exactly_the_routed_phones_encrypted(stack, sessionmaker):
    async with transaction(sessionmaker) as db:
        plant = await make_plant(db, SECRET.encode(), datetime.now(UTC))
    sim = stack.push_sim()
    api = stack.serve()
    phones = await subscribe_phones(api.url, sim.url, sessionmaker, plant.people)
    edge = EdgeUplink(api.url, plant.edge_token)

    # The site simulator sees a person under the crane's load in area SA-A1; the edge uplinks it.
    tier1 = await edge.raise_alarm("person_under_load", area_code="SA-A1", message="2号塔吊 吊物下方有人")
    assert tier1["tier"] == 1 and tier1["recipients"] == 4
    deliveries = await wait_for_deliveries(sim.url, 4)
    # …and a harness clipped low (tier 2: an image alert for guardian and team leader only).
    tier2 = await edge.raise_alarm("harness_not_high_hook", area_code="SA-A1")
    deliveries = await wait_for_deliveries(sim.url, 6)
    await edge.aclose()

    got = {name: phone.messages(deliveries) for name, phone in phones.items()}
    tier1_people = {
        name for name, msgs in got.items() if any(m["alarm_id"] == tier1["alarm_id"] for m in msgs)
    }
    tier2_people = {
        name for name, msgs in got.items() if any(m["alarm_id"] == tier2["alarm_id"] for m in msgs)
    }
    assert tier1_people == {"guardian", "team_leader", "inspector", "safety_officer"}
    assert tier2_people == {"guardian", "team_leader"}
    assert len(deliveries) == 6, "no message twice, none to anyone else"
    strong = next(m for m in got["inspector"] if m["alarm_id"] == tier1["alarm_id"])
    assert strong["tier"] == 1 and strong["require_interaction"] is True and strong["vibrate"]
    assert strong["title"] == "一级报警：吊装半径内站人" and "聚合装置区" in strong["body"]
    assert [a["action"] for a in strong["actions"]] == ["ack", "view"]
    topics = {m["alarm_id"]: topic_of(f"alarm:{m['alarm_id']}") for msgs in got.values() for m in msgs}
    assert {d["urgency"] for d in deliveries if d["topic"] == topics[tier1["alarm_id"]]} == {"high"}
    assert {d["urgency"] for d in deliveries if d["topic"] == topics[tier2["alarm_id"]]} == {"normal"}
    assert all(d["vapid_sub"].startswith("mailto:") and d["ttl"] > 0 for d in deliveries)

    # The first accepted push moved the alarm to "notified"; the control room sees it so.
    async with transaction(sessionmaker) as db:
        session = await open_session(db, plant.people["safety_officer"].id, None, datetime.now(UTC), 1)
    async with httpx.AsyncClient(base_url=api.url, cookies={SESSION_COOKIE: session}) as client:
        alarm = (await client.get(f"/api/alarms/{tier1['alarm_id']}")).json()
    assert alarm["state"] == "notified" and alarm["notified_at"] is not None
