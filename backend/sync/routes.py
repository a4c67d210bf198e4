"""Sync endpoints: a device pushes its operations, then pulls what changed."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import JSONBody

from backend.http.deps import Caller, Conf, Db, Now
from backend.sync import service
from backend.sync.registry import registry_of
from backend.sync.schemas import PullRequest, PullResponse, PushRequest, PushResponse


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    @post("/push", operation_id="syncPush", status_code=200)
    async def push(
        self,
        request: Request,
        data: JSONBody[PushRequest],
        principal: Caller,
        settings: Conf,
        now: Now,
        state: State,
    ) -> PushResponse:
        """Decide each op: applied, merged, rejected (with reason), duplicate (stored answer) or deferred."""
        name = data.device_name or request.headers.get("user-agent", "")
        return await service.push_request(state, principal, settings, now, data, name)

    @post("/pull", operation_id="syncPull", status_code=200)
    async def pull(
        self, data: JSONBody[PullRequest], db: Db, principal: Caller, now: Now, state: State
    ) -> PullResponse:
        """Changes after the cursor that the caller may see, compacted, in pages; and the commands
        this server decides (the app offers only those)."""
        return await service.pull(db, principal, data, now, registry_of(state).kinds())
