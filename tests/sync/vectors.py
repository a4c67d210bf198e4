"""Loading the shared vectors and running them against the reference server (see build_vectors.py)."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import msgspec

import sync
from sync.messages import PullRequest, PushRequest, Put
from sync.reference import Actor, Entity, ReferenceServer

VECTOR_DIR = Path(sync.__file__).resolve().parent / "vectors"


def load(layer: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(VECTOR_DIR.glob("*.json")):
        vec = json.loads(path.read_text(encoding="utf-8"))
        if layer in vec["layers"]:
            out.append((path.stem, vec))
    return out


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mismatch(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Where `actual` differs from the partial expectation `expected` (dict keys it names, whole lists)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}.{key}: missing"
            found = mismatch(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected {expected!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = mismatch(e, a, f"{where}[{i}]")
            if found:
                return found
        return None
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return f"{where}: expected {expected!r}, got {actual!r}"
    return None


def person_data(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": person["name"],
        "phone": person["phone"],
        "locale": "zh-CN",
        "unit_path": person["unit_path"],
        "employment": "active",
    }


def reference_server(vec: dict[str, Any]) -> ReferenceServer:
    server = ReferenceServer()
    for person in vec["people"]:
        pid = uuid.UUID(person["id"])
        server.add_actor(
            Actor(
                pid,
                person["unit_path"],
                [(role, scope) for role, scope in person["grants"]],
                {unb64u(c["id"]): unb64u(c["cose"]) for c in person["credentials"]},
            )
        )
        server.seed(Entity("person", pid, 1, person_data(person), person["unit_path"], pid))
    for device in vec["devices"]:
        server.devices[uuid.UUID(device["id"])] = uuid.UUID(device["person"])
    for e in vec["entities"]:
        owner = uuid.UUID(e["owner"]) if e.get("owner") else None
        server.seed(Entity(e["entity"], uuid.UUID(e["id"]), e["version"], e["data"], e["scope_path"], owner))
    return server


async def run_reference(vec: dict[str, Any]) -> None:
    """Run every step against a fresh reference server; AssertionError names the first difference."""
    server = reference_server(vec)
    pulls: dict[str, tuple[int, str]] = {}
    for number, step in enumerate(vec["steps"]):
        where = f"{vec['name']} step {number}"
        at = step["at"]
        if "push" in step:
            spec = step["push"]
            request = PushRequest(
                device_id=uuid.UUID(spec["device"]), ops=spec["ops"], sent_at=spec["sent_at"]
            )
            response = await server.push(uuid.UUID(spec["person"]), request, at)
            if "expect" in step:
                found = mismatch(step["expect"], msgspec.to_builtins(response.results), where)
                assert found is None, found
        elif "grants" in step:
            actor = server.actors[uuid.UUID(step["grants"]["person"])]
            actor.grants = [(role, scope) for role, scope in step["grants"]["grants"]]
        elif "write" in step:
            spec = step["write"]
            server.write(spec["entity"], uuid.UUID(spec["id"]), spec.get("data"), deleted=spec.get("deleted"))
        elif "pull" in step:
            spec = step["pull"]
            cursor, scope = pulls.get(spec["client"], (0, ""))
            puts: dict[str, int] = {}
            dels: list[str] = []
            reset = False
            while True:
                response = server.pull(uuid.UUID(spec["person"]), PullRequest(cursor=cursor, scope=scope), at)
                reset = reset or response.reset
                for change in response.changes:
                    if isinstance(change, Put):
                        puts[str(change.entity_id)] = change.version
                    else:
                        dels.append(str(change.entity_id))
                cursor, scope = response.cursor, response.scope
                if not response.more:
                    break
            pulls[spec["client"]] = (cursor, scope)
            expect = step["expect"]
            assert sorted(puts) == sorted(expect["put"]), f"{where}: put {sorted(puts)}"
            assert sorted(dels) == sorted(expect["del"]), f"{where}: del {sorted(dels)}"
            assert reset == expect["reset"], f"{where}: reset {reset}"
            for entity_id, version in expect.get("versions", {}).items():
                assert puts[entity_id] == version, f"{where}: version of {entity_id}"
    for expected in vec["final"]:
        entity = server.entities.get((expected["entity"], uuid.UUID(expected["id"])))
        where = f"{vec['name']} final {expected['entity']} {expected['id']}"
        if expected.get("absent"):
            assert entity is None, f"{where}: should not exist"
            continue
        assert entity is not None, f"{where}: missing"
        actual = {"version": entity.version, "data": entity.data, "deleted": entity.deleted}
        found = mismatch({k: v for k, v in expected.items() if k not in ("entity", "id")}, actual, where)
        assert found is None, found
