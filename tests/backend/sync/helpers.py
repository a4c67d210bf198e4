"""Building ops the way the PWA does, for the backend sync tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sync.hlc import HlcClock


class Phone:
    """One device: a stable id and an HLC; `op` mints an operation like the PWA's outbox."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.id = uuid.uuid4()
        self.now = now  # the test clock: ops are stamped with the time they were "recorded"
        self.clock = HlcClock(str(self.id))

    def op(
        self, kind: str, entity: str, entity_id: Any, args: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        return {
            "op_id": str(uuid.uuid4()),
            "device_id": str(self.id),
            "hlc": str(self.clock.tick(int(self.now().timestamp() * 1000))),
            "kind": kind,
            "entity": entity,
            "entity_id": str(entity_id),
            "args": args,
            **extra,
        }

    def contact(self, person_id: Any, base_version: int | None = None, **fields: Any) -> dict[str, Any]:
        extra = {} if base_version is None else {"base_version": base_version}
        return self.op("worker.update_contact", "person", person_id, fields, **extra)

    def body(self, *ops: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"device_id": str(self.id), "ops": list(ops), **extra}


async def pull_all(client: Any, cursor: int = 0, scope: str = "", limit: int = 500) -> dict[str, Any]:
    """Page to the end; returns puts by id, tombstones, the final cursor/scope and whether it reset."""
    puts: dict[str, dict[str, Any]] = {}
    dels: list[str] = []
    reset = False
    while True:
        res = await client.post("/api/sync/pull", json={"cursor": cursor, "scope": scope, "limit": limit})
        assert res.status_code == 200, res.text
        page = res.json()
        reset = reset or page["reset"]
        for change in page["changes"]:
            if change["type"] == "put":
                puts[change["entity_id"]] = change
            else:
                dels.append(change["entity_id"])
        cursor, scope = page["cursor"], page["scope"]
        if not page["more"]:
            return {"puts": puts, "dels": dels, "cursor": cursor, "scope": scope, "reset": reset}
