"""Wire types of the audit log: what a domain records, tree heads, proofs, an entity's history."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

# Column widths of the evidence; values are clipped *before* hashing, so the leaf matches the row.
_CLIP = {
    "channel": 16,
    "ip": 64,
    "user_agent": 300,
    "credential_id": 1400,
    "device_id": 128,
    "device_time": 64,
}


class Evidence(msgspec.Struct, frozen=True, kw_only=True):
    """Where an action came from. `device_time` is the device's own HLC clock, kept beside the
    server time (never instead of it); `credential_id` is the WebAuthn credential (base64url)."""

    channel: str = "system"  # api | cli | sync | system
    ip: str = ""
    user_agent: str = ""
    credential_id: str | None = None
    device_id: str | None = None
    device_time: str | None = None

    def with_credential(self, credential_id: str | None) -> Evidence:
        return msgspec.structs.replace(self, credential_id=credential_id)

    def clipped(self) -> Evidence:
        values = {
            k: (v[: _CLIP[k]] if isinstance(v, str) else v) for k, v in msgspec.structs.asdict(self).items()
        }
        return Evidence(**values)

    def as_dict(self) -> dict[str, str | None]:
        return msgspec.structs.asdict(self)


CLI = Evidence(channel="cli", user_agent="tezuo-cli")
SYSTEM = Evidence()


class Record(msgspec.Struct, frozen=True, kw_only=True):
    """One thing to put in the log: `actor` did `action` to version `entity_version` of `entity`."""

    action: str
    entity: str
    entity_id: str
    entity_version: int | None = None
    actor_id: uuid.UUID | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)
    evidence: Evidence | None = None  # None: the request's evidence (see service.use_evidence), else system


class TreeHeadOut(msgspec.Struct, kw_only=True):
    """A signed tree head; binary fields are standard base64 as in RFC 6962 §4.3 get-sth."""

    tree_size: int
    timestamp: int  # ms since the epoch, the signed value
    sha256_root_hash: str
    tree_head_signature: str  # ECDSA P-256 over the RFC 6962 §3.5 TreeHeadSignature, raw r‖s
    key_id: str
    signature_algorithm: str
    issued_at: str


class InclusionProofOut(msgspec.Struct, kw_only=True):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyProofOut(msgspec.Struct, kw_only=True):
    first: int
    second: int
    consistency: list[str]


class LogKeyOut(msgspec.Struct, kw_only=True):
    key_id: str
    signature_algorithm: str
    public_key_pem: str


class HistoryEntryOut(msgspec.Struct, kw_only=True):
    """An entry with everything a browser needs to recompute its leaf and check its proof.
    `evidence` is null when the viewer may not see it; its digest still goes into the leaf."""

    leaf_index: int
    time: str
    actor_id: uuid.UUID | None
    actor_name: str | None
    action: str
    entity: str
    entity_id: str
    entity_version: int | None
    details: dict[str, Any]
    details_digest: str
    evidence: Evidence | None
    evidence_digest: str
    leaf_hash: str
    audit_path: list[str] | None  # inclusion proof against `tree_head`; null if not yet covered


class HistoryOut(msgspec.Struct, kw_only=True):
    entity: str
    entity_id: str
    tree_head: TreeHeadOut | None
    entries: list[HistoryEntryOut]
