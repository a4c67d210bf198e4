"""Property tests: N devices offline for random stretches, lost requests and responses, retries.

Invariants checked after every generated history (against the in-memory reference server):
* exactly one decided result per op, and every answer a device ever got for it is that result;
* pushing everything again changes nothing on the server;
* once everyone is back online and synced, every device holds exactly the server state it may see;
* no accepted op is lost, no op silently disappears from a device;
* every rejected op is shown on the device that made it.
"""

from __future__ import annotations

import copy
import itertools
import os
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sync.client import SyncClient, TransportError
from sync.messages import (
    Applied,
    Deferred,
    Duplicate,
    Merged,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    Rejected,
)
from sync.reference import Actor, Entity, ReferenceServer
from tests.sync.signer import Signer

settings.register_profile(
    "sync-ci", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("sync-dev", max_examples=int(os.environ.get("SYNC_EXAMPLES", "60")), deadline=None)
PROFILE = settings.get_profile("sync-ci" if os.environ.get("CI") == "true" else "sync-dev")

T = TypeVar("T")
T0 = 1_795_852_800_000
HOUR = 3_600_000
SITE, WS = "/ENT/SA/", "/ENT/SA/SA-W1/"
PERMITS = [uuid.UUID(int=0x200 + n) for n in range(2)]
# name → (person id, unit, grants, signs approvals with a registered passkey)
CAST: dict[str, tuple[uuid.UUID, str, list[tuple[str, str]]]] = {
    "guardian": (uuid.UUID(int=1), WS, [("guardian", SITE)]),
    "guardian2": (uuid.UUID(int=2), WS, [("guardian", SITE)]),
    "officer": (uuid.UUID(int=3), WS, [("safety_officer", SITE)]),
    "worker": (uuid.UUID(int=4), WS + "T1/", [("worker", WS + "T1/")]),
    "admin": (uuid.UUID(int=5), "/ENT/", [("admin", "/ENT/")]),
}
SIGNERS = {"officer": Signer(3), "guardian": Signer(1)}  # the guardian's key is not registered
REGISTERED = {"officer"}


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never really waits (the reference server is pure)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    raise RuntimeError("the reference server suspended")


class Faulty:
    """A transport to the reference server that can lose the request or the response."""

    def __init__(self, server: ReferenceServer, person: uuid.UUID, clock: list[int]):
        self.server, self.person, self.clock = server, person, clock
        self.faults: list[str] = []  # consumed in order: "ok" | "request" | "response"

    def _fault(self) -> str:
        return self.faults.pop(0) if self.faults else "ok"

    async def push(self, request: PushRequest) -> PushResponse:
        fault = self._fault()
        if fault == "request":
            raise TransportError("request lost")
        response = await self.server.push(self.person, copy.deepcopy(request), self.clock[0])
        if fault == "response":
            raise TransportError("response lost")
        return response

    async def pull(self, request: PullRequest) -> PullResponse:
        fault = self._fault()
        if fault == "request":
            raise TransportError("request lost")
        response = self.server.pull(self.person, request, self.clock[0])
        if fault == "response":
            raise TransportError("response lost")
        return response


@dataclass
class Device:
    name: str
    client: SyncClient
    transport: Faulty
    online: bool = True
    made: list[dict[str, Any]] = field(default_factory=list)


def build_world(device_specs: list[tuple[str, int]]) -> tuple[ReferenceServer, list[Device], list[int]]:
    server = ReferenceServer()
    for name, (pid, unit, grants) in CAST.items():
        creds = {SIGNERS[name].credential_id: SIGNERS[name].cose_public_key()} if name in REGISTERED else {}
        server.add_actor(Actor(pid, unit, list(grants), creds))
        data = {"name": name, "phone": None, "locale": "zh-CN", "unit_path": unit, "employment": "active"}
        server.seed(Entity("person", pid, 1, data, unit, pid))
    for permit in PERMITS:
        data = {"title": "动火", "status": "pending", "scope_path": WS, "note": ""}
        server.seed(Entity("permit", permit, 1, data, WS))
    clock = [T0]
    ids = itertools.count(1)
    devices = []
    for index, (name, skew) in enumerate(device_specs):
        pid = CAST[name][0]
        client = SyncClient(
            uuid.UUID(int=0x100 + index),
            pid,
            lambda skew=skew: clock[0] + skew,
            new_id=lambda: uuid.UUID(int=(1 << 100) + next(ids)),
        )
        devices.append(Device(name, client, Faulty(server, pid, clock)))
    return server, devices, clock


# What each person mostly does, plus things they may not do (which must be rejected and shown).
MENU = {
    "officer": ["approve", "approve", "approve", "cancel", "note", "gas", "phone", "scan"],
    "guardian": ["gas", "gas", "gas", "bad_gas", "locale", "phone", "approve", "note"],
    "guardian2": ["gas", "gas", "phone", "locale", "cancel"],
    "worker": ["phone", "phone", "locale", "gas"],
    "admin": ["phone", "phone", "locale", "cancel"],
}
RECORD = st.tuples(st.just("record"), st.integers(0, 9), st.integers(0, 99), st.integers(0, 7))
SYNC = st.tuples(
    st.just("sync"),
    st.integers(0, 9),
    st.lists(st.sampled_from(["ok", "ok", "request", "response"]), max_size=4),
)
ACTION = st.one_of(
    RECORD,
    RECORD,
    RECORD,
    SYNC,
    SYNC,
    st.tuples(st.just("toggle"), st.integers(0, 9)),
    st.tuples(st.just("wait"), st.integers(1, 2 * HOUR)),
    st.tuples(st.just("regrant"), st.booleans()),
    st.tuples(st.just("transfer"), st.booleans()),
    st.tuples(st.just("retract"), st.integers(0, 9)),
)
HISTORY = st.lists(ACTION, min_size=20, max_size=80)
DEVICES = st.lists(
    st.tuples(
        st.sampled_from(["officer", "officer", "guardian", "guardian2", "worker", "admin"]),
        st.sampled_from([0, 0, 2 * HOUR, -2 * HOUR, 30_000]),
    ),
    min_size=2,
    max_size=4,
)


def record(device: Device, what: str, n: int) -> None:
    client = device.client
    permit = PERMITS[n % 2]
    known = client.entities.get(("permit", permit))
    base = known[0] if known else 1
    pid = CAST[device.name][0]
    if what in ("gas", "bad_gas"):
        args = {"permit_id": str(permit), "o2_pct": 150 if what == "bad_gas" else 20.9, "lel_pct": n % 5}
        op = client.record("gas.record", "gas_reading", client.new_id(), args)
    elif what in ("phone", "locale"):
        target = pid if n % 3 else CAST["worker"][0]
        fields = {"phone": f"1390000000{n}"} if what == "phone" else {"locale": ["en", "zh-CN", "fr"][n % 3]}
        known_person = client.entities.get(("person", target))
        op = client.record(
            "worker.update_contact", "person", target, fields, known_person[0] if known_person else 1
        )
    elif what == "approve":
        signer = SIGNERS.get(device.name)
        sign = (lambda challenge: signer.assertion(challenge)) if signer and n % 4 else None
        op = client.record("permit.approve", "permit", permit, {}, base, sign=sign)
    elif what == "cancel":
        op = client.record("permit.cancel", "permit", permit, {"reason": f"原因{n}"})
    elif what == "note":
        op = client.record("permit.edit_note", "permit", permit, {"note": f"备注{n}"}, base)
    else:
        op = client.record("badge.scan", "badge_scan", client.new_id(), {"badge": str(n)})
    device.made.append(op)


def sync_once(device: Device, faults: list[str]) -> None:
    device.transport.faults = list(faults)
    try:
        run(device.client.push(device.transport, batch=3))
        run(device.client.pull(device.transport, limit=4))
    except TransportError:
        pass  # the device tries again later, as the PWA does with backoff


def check_view_keeps_own_readings(server: ReferenceServer, device: Device) -> None:
    """The optimistic view never drops a reading the device recorded, from recording until the
    server withdraws it: pending, acknowledged and pulled all show it (no flicker, no loss)."""
    view = device.client.view()
    for op in device.made:
        if op["kind"] != "gas.record" or op["args"]["o2_pct"] > 100:
            continue
        key = ("gas_reading", uuid.UUID(op["entity_id"]))
        stored = server.results.get(uuid.UUID(op["op_id"]))
        withdrawn = key in server.entities and server.entities[key].deleted
        rejected = stored is not None and isinstance(stored.result, Rejected)
        if rejected and uuid.UUID(op["op_id"]) not in device.client.outbox:
            continue  # the device knows: it shows a notice instead
        if not withdrawn and not rejected:
            assert key in view, "a recorded reading vanished from the device's view"


def simulate(
    device_specs: list[tuple[str, int]], actions: list[tuple[Any, ...]]
) -> tuple[ReferenceServer, list[Device]]:
    server, devices, clock = build_world(device_specs)
    for action in actions:
        kind = action[0]
        if kind == "record":
            device = devices[action[1] % len(devices)]
            menu = MENU[device.name]
            record(device, menu[action[2] % len(menu)], action[3])
        elif kind == "sync":
            device = devices[action[1] % len(devices)]
            if device.online:
                sync_once(device, action[2])
        elif kind == "toggle":
            device = devices[action[1] % len(devices)]
            device.online = not device.online
        elif kind == "wait":
            clock[0] += action[1]
        elif kind == "regrant":  # an administrator revokes or restores the officer's approval rights
            officer = server.actors[CAST["officer"][0]]
            officer.grants = [("safety_officer", SITE)] if action[1] else [("team_leader", WS)]
        elif kind == "transfer":  # HR moves the worker to the other site and back: scopes change
            unit = "/ENT/SB/SB-W1/T1/" if action[1] else CAST["worker"][1]
            pid = CAST["worker"][0]
            server.actors[pid].unit_path = unit
            server.actors[pid].grants = [("worker", unit)]
            server.write("person", pid, {"unit_path": unit}, scope_path=unit)
        else:  # a reading is withdrawn on the server (e.g. a detector found faulty): a tombstone
            readings = sorted(
                k for k, e in server.entities.items() if k[0] == "gas_reading" and not e.deleted
            )
            if readings:
                server.write(*readings[action[1] % len(readings)], deleted=True)
        for device in devices:
            check_view_keeps_own_readings(server, device)
    # everyone back online, no more faults: two rounds reach every change made in the first
    for _ in range(2):
        for device in devices:
            sync_once(device, [])
    return server, devices


def check_invariants(server: ReferenceServer, devices: list[Device]) -> None:
    unknown = {"badge.scan"}
    for device in devices:
        rejected_here = set()
        for op in device.made:
            op_id = uuid.UUID(op["op_id"])
            stored = server.results.get(op_id)
            if op["kind"] in unknown:
                # never decided, never dropped: still waiting on the device for a newer server
                assert stored is None and op_id in device.client.outbox
                continue
            assert stored is not None, f"op {op['kind']} was never decided"
            assert stored.device_id == device.client.device_id
            answers = device.client.results.get(op_id, [])
            assert answers and all(a == stored.result for a in answers), "a retry got a different answer"
            if isinstance(stored.result, Rejected):
                rejected_here.add(op_id)
            else:
                assert op_id not in device.client.outbox, "an accepted op stayed pending after the pull"
                target = server.entities[(op["entity"], uuid.UUID(op["entity_id"]))]
                assert target.version >= stored.result.version
                if op["kind"] == "gas.record":
                    assert target.data["device_hlc"] == op["hlc"], "an accepted reading was lost"
        shown = {op_id for op_id, notice in device.client.notices.items() if notice.needs_action}
        assert shown == rejected_here, "a rejected op was not shown on its device (or shown wrongly)"

        expected = server.visible_state(device.client.person_id)
        assert device.client.entities == expected, f"device {device.name} did not converge"
        pending = [p.op for p in device.client.outbox.values()]
        assert all(op["kind"] in unknown for op in pending)
        view = device.client.view()
        assert view == {key: data for key, (_, data) in expected.items()}

    # pushing every op again, as a device with a dropped response would, changes nothing
    before = (copy.deepcopy(server.entities), len(server.log), dict(server.results))
    for device in devices:
        transport = Faulty(server, device.client.person_id, [T0 + 1000 * HOUR])
        for op in device.made:
            response = run(transport.push(PushRequest(device_id=device.client.device_id, ops=[op])))
            result = response.results[0]
            if op["kind"] in unknown:
                assert isinstance(result, Deferred)
            else:
                assert isinstance(result, Duplicate)
                assert result.original == server.results[uuid.UUID(op["op_id"])].result
    assert (server.entities, len(server.log), server.results) == before


@settings(PROFILE)
@given(device_specs=DEVICES, actions=HISTORY)
def test_devices_converge_and_every_op_is_decided_once(device_specs, actions):
    server, devices = simulate(device_specs, actions)
    check_invariants(server, devices)
    for stored in server.results.values():  # shown by --hypothesis-show-statistics
        event(f"{type(stored.result).__name__} {getattr(stored.result, 'code', '')}".strip())


@settings(PROFILE)
@given(device_specs=DEVICES, actions=HISTORY, split=st.integers(0, 80))
def test_replaying_any_prefix_of_pushes_changes_nothing(device_specs, actions, split):
    """Run a history, then re-send every batch any device sent so far: no state moves."""
    server, devices = simulate(device_specs, actions[:split])
    snapshot = (copy.deepcopy(server.entities), len(server.log), dict(server.results))
    for device in devices:
        transport = Faulty(server, device.client.person_id, [T0])
        ops = [op for op in device.made if op["kind"] != "badge.scan"]
        for start in range(0, len(ops), 3):
            response = run(
                transport.push(PushRequest(device_id=device.client.device_id, ops=ops[start : start + 3]))
            )
            assert all(isinstance(r, Duplicate) for r in response.results)
    assert (server.entities, len(server.log), server.results) == snapshot


def test_a_rejected_op_is_shown_not_dropped():
    """One concrete history the properties cover, spelled out: an approval after a cancel."""
    server, devices = simulate(
        [("officer", 0), ("officer", 0)],
        [
            ("toggle", 0),
            ("record", 0, 0, 1),
            ("record", 1, 3, 1),
            ("sync", 1, []),
            ("toggle", 0),
        ],
    )
    check_invariants(server, devices)
    notice = next(iter(devices[0].client.notices.values()))
    assert notice.code == "state_changed" and "cancelled" in notice.reason + str(notice.current)
    assert isinstance(next(iter(devices[1].client.results.values()))[0], Applied | Merged)
