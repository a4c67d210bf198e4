"""Wire types of the sync protocol: operations up, results and changes down.

Schema evolution (msgspec rules): a field added later always has a default, no field is ever
retyped, and a tag is never reused — a phone that was offline through an upgrade keeps talking.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec


class Operation(msgspec.Struct, kw_only=True):
    """An intent recorded on a device: a named command, never a raw row write.

    Unknown envelope fields are ignored rather than refused: an op signed by a newer app
    version must still be decodable, and the signature covers the raw bytes anyway.
    """

    op_id: uuid.UUID
    device_id: uuid.UUID
    hlc: str
    kind: str
    entity: str
    entity_id: uuid.UUID
    base_version: int | None = None
    args: dict[str, Any] = msgspec.field(default_factory=dict)
    signature: dict[str, Any] | None = None


class EntityState(msgspec.Struct, kw_only=True):
    """An entity as the server holds it now: what a rejected op is shown against."""

    entity: str
    entity_id: uuid.UUID
    version: int
    data: dict[str, Any]
    deleted: bool = False


# --- results: one per operation, tagged by `status` --------------------------------------------


class Applied(msgspec.Struct, tag="applied", tag_field="status", kw_only=True):
    """Accepted exactly as the device saw it; visible once the device has pulled `server_seq`."""

    op_id: uuid.UUID
    version: int
    server_seq: int


class Merged(msgspec.Struct, tag="merged", tag_field="status", kw_only=True):
    """Accepted on top of changes the device had not seen; `lost` lists fields a newer write kept."""

    op_id: uuid.UUID
    version: int
    server_seq: int
    lost: list[str] = msgspec.field(default_factory=list)


class Rejected(msgspec.Struct, tag="rejected", tag_field="status", kw_only=True):
    """Refused for good, with a stable code, a reason a person can read and the current state."""

    op_id: uuid.UUID | None
    code: str
    reason: str
    current: EntityState | None = None


class Duplicate(msgspec.Struct, tag="duplicate", tag_field="status", kw_only=True):
    """Seen before: the stored original result, unchanged; nothing was applied again."""

    op_id: uuid.UUID
    original: Applied | Merged | Rejected


class Deferred(msgspec.Struct, tag="deferred", tag_field="status", kw_only=True):
    """Not decided (server fault, a command this server does not know yet): keep it and retry."""

    op_id: uuid.UUID | None
    code: str
    reason: str
    retry_after_ms: int = 30_000


Final = Applied | Merged | Rejected
OpResult = Applied | Merged | Rejected | Duplicate | Deferred


def final_of(result: OpResult) -> Final | None:
    """The decided outcome behind a result (a duplicate's original), or None if not decided."""
    if isinstance(result, Duplicate):
        return result.original
    if isinstance(result, Deferred):
        return None
    return result


# --- changes: the pull feed, tagged by `type` ----------------------------------------------------


class Put(msgspec.Struct, tag="put", tag_field="type", kw_only=True):
    """The latest version of an entity the caller may see."""

    seq: int
    entity: str
    entity_id: uuid.UUID
    version: int
    data: dict[str, Any]


class Tombstone(msgspec.Struct, tag="del", tag_field="type", kw_only=True):
    """The entity was deleted, or left the caller's scope: drop it."""

    seq: int
    entity: str
    entity_id: uuid.UUID
    version: int


Change = Put | Tombstone


# --- requests and responses ------------------------------------------------------------------------


class PushRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A batch of a device's operations. `ops` stay loose so one malformed op is one rejection."""

    device_id: uuid.UUID
    ops: list[Any]
    sent_at: int | None = None  # the device's wall clock (ms) when sending: measures its skew
    device_name: str = ""


class PushResponse(msgspec.Struct, kw_only=True):
    """`results[i]` answers `ops[i]`."""

    results: list[OpResult]
    server_time: int


class PullRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    cursor: Annotated[int, msgspec.Meta(ge=0)] = 0
    limit: Annotated[int, msgspec.Meta(ge=1, le=2000)] = 500
    scope: str = ""  # the fingerprint of the caller's scopes the device last pulled with


class PullResponse(msgspec.Struct, kw_only=True):
    """Changes after the cursor; pull again with `cursor` while `more` is true."""

    changes: list[Change]
    cursor: int
    more: bool
    server_time: int
    scope: str = ""
    reset: bool = False  # scopes changed: replace the local copy with this snapshot
    commands: list[str] = msgspec.field(default_factory=list)  # the kinds this server decides
