"""The sync properties against the real endpoints and databases (fewer examples than tests/sync).

Devices of a worker and an administrator edit the worker's contact details offline, lose requests
and responses, retry; at the end every op was decided once, a re-push changes nothing, and every
device holds what the database holds.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend.auth.service import open_session
from backend.db.changes import ChangeLog
from backend.db.engine import transaction
from backend.http.deps import SESSION_COOKIE
from backend.people.models import Person
from backend.sync.models import SyncOpResult
from sync.client import SyncClient, TransportError
from sync.messages import Duplicate, PullRequest, PullResponse, PushRequest, PushResponse, Rejected
from tests.factories import make_person

EXAMPLES = 20 if os.environ.get("CI") == "true" else 5


class AsgiTransport:
    """The app over ASGI, with a queue of faults: lose the request, or lose the response."""

    def __init__(self, client: Any, token: str):
        self.client = client
        self.cookie = {"cookie": f"{SESSION_COOKIE}={token}"}
        self.faults: list[str] = []

    async def _post(self, path: str, request: Any) -> bytes:
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "request":
            raise TransportError("request lost")
        res = await self.client.post(path, content=msgspec.json.encode(request), headers=self.cookie)
        assert res.status_code == 200, res.text
        if fault == "response":
            raise TransportError("response lost")
        return bytes(res.content)

    async def push(self, request: PushRequest) -> PushResponse:
        return msgspec.json.decode(await self._post("/api/sync/push", request), type=PushResponse)

    async def pull(self, request: PullRequest) -> PullResponse:
        return msgspec.json.decode(await self._post("/api/sync/pull", request), type=PullResponse)


ACTION = st.one_of(
    st.tuples(
        st.just("edit"), st.integers(0, 2), st.sampled_from(["phone", "locale", "bad"]), st.integers(0, 9)
    ),
    st.tuples(
        st.just("sync"),
        st.integers(0, 2),
        st.lists(st.sampled_from(["ok", "request", "response"]), max_size=3),
    ),
    st.tuples(st.just("wait"), st.integers(1, 3_600)),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTION, min_size=5, max_size=25))
async def test_devices_converge_on_the_database(actions, app_client, sessionmaker, settings, org, clock):
    async with transaction(sessionmaker) as db:
        worker = await make_person(db, settings.secret_key, org.team_a, "赵铁柱")
        admin = await make_person(db, settings.secret_key, org.team_a, "吴管理", [("admin", org.enterprise)])
        tokens = {p.id: await open_session(db, p.id, None, clock(), 8) for p in (worker, admin)}
    owners = [worker, worker, admin]  # two phones of the worker, one of the administrator
    now = lambda: int(clock().timestamp() * 1000)  # noqa: E731
    devices = [SyncClient(uuid.uuid4(), p.id, now) for p in owners]
    wires = [AsgiTransport(app_client, tokens[p.id]) for p in owners]
    made: list[tuple[int, dict[str, Any]]] = []

    for action in actions:
        if action[0] == "edit":
            n, what, value = action[1], action[2], action[3]
            fields = (
                {"phone": f"1391111000{value}"} if what == "phone" else {"locale": ["en", "zh-CN"][value % 2]}
            )
            if what == "bad":
                fields = {"phone": "not a phone"}
            base = devices[n].entities.get(("person", worker.id))
            op = devices[n].record(
                "worker.update_contact", "person", worker.id, fields, base[0] if base else 1
            )
            made.append((n, op))
        elif action[0] == "sync":
            wires[action[1]].faults = list(action[2])
            with contextlib.suppress(TransportError):
                await devices[action[1]].sync(wires[action[1]])
        else:
            clock.advance(seconds=action[1])
    for _ in range(2):
        for device, wire in zip(devices, wires, strict=True):
            wire.faults = []
            await device.sync(wire)

    async with sessionmaker() as db:
        person = await db.get(Person, worker.id)
        stored = {
            row.op_id: row.result
            for row in await db.scalars(
                select(SyncOpResult).where(SyncOpResult.person_id.in_([worker.id, admin.id]))
            )
        }
        log_size = await db.scalar(select(func.count()).select_from(ChangeLog))
    assert set(stored) == {uuid.UUID(op["op_id"]) for _, op in made}, "every op decided exactly once"
    for n, op in made:
        op_id = uuid.UUID(op["op_id"])
        answers = [msgspec.to_builtins(a) for a in devices[n].results[op_id]]
        assert answers and all(a == stored[op_id] for a in answers), "a retry got a different answer"
        notice = devices[n].notices.get(op_id)
        assert (stored[op_id]["status"] == "rejected") == (notice is not None and notice.needs_action)
    for device in devices:
        assert not device.outbox
        version, data = device.entities[("person", worker.id)]
        assert (version, data["phone"], data["locale"]) == (person.version, person.phone, person.locale)

    # pushing everything again changes nothing
    for n, op in made:
        response = await wires[n].push(PushRequest(device_id=devices[n].device_id, ops=[op]))
        assert isinstance(response.results[0], Duplicate)
        assert (
            not isinstance(response.results[0].original, Rejected)
            or stored[uuid.UUID(op["op_id"])]["status"] == "rejected"
        )
    async with sessionmaker() as db:
        assert (await db.get(Person, worker.id)).version == person.version
        assert await db.scalar(select(func.count()).select_from(ChangeLog)) == log_size
