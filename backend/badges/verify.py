"""Offline verification: the same rules as pwa/src/badges/verify.ts (the shared vectors pin both).

Inputs: the QR text, a trust list already checked against the pinned root key, optionally the
inspector's synced site data (workers, freezes, when it was synced), the time, and optionally
the operation items the picked permit needs (each a list of items any one of which covers it).
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cbor2
import msgspec

from backend.badges import base45, cose
from backend.badges.credential import CLAIM, PREFIX
from backend.badges.keys import public_from_raw

RED, AMBER, GREEN = "red", "amber", "green"
MAX_INFLATED = 16_384

MESSAGES = {
    "bad_prefix": "不是特作电子身份码",
    "bad_base45": "二维码内容损坏（base45）",
    "bad_zlib": "二维码内容损坏（压缩）",
    "bad_cose": "签名结构损坏",
    "bad_payload": "身份码内容损坏",
    "unknown_key": "签发密钥不在信任列表中",
    "bad_signature": "签名无效，身份码被篡改或伪造",
    "key_revoked": "签发密钥已吊销",
    "key_not_valid_then": "签发时该密钥不在有效期",
    "not_yet_valid": "身份码尚未生效",
    "expired": "身份码已过期",
    "worker_frozen": "人员已冻结，不得作业",
    "certificate_missing": "证书不覆盖本次作业",
    "not_on_permit": "不在所选作业票的作业人员中",
    "not_synced": "本机未同步该人员资料，请联网核验",
    "data_stale": "本机同步数据已过期",
    "open_violations": "有未处理的违章记录",
    "certificate_lapsed": "有证书已过期或逾期未复审",
    "item_frozen": "有操作项目被冻结",
}


class TrustError(ValueError):
    """The trust list is not signed by the pinned root, or malformed."""


class TrustKey(msgspec.Struct, frozen=True):
    kid: bytes
    pub: bytes
    nb: int
    na: int | None = None
    rv: int | None = None


class TrustList(msgspec.Struct, frozen=True):
    v: int
    iss: str
    iat: int
    tz: int
    stale: int
    keys: list[TrustKey]


class SyncedWorker(msgspec.Struct, frozen=True):
    w: str
    n: str
    m: str = ""
    p: str = ""  # photo hash hex
    v: int = 0
    c: list[list[Any]] = []


class Frozen(msgspec.Struct, frozen=True):
    w: str
    since: int
    item: str | None = None


class Synced(msgspec.Struct, frozen=True):
    as_of: int
    workers: list[SyncedWorker] = []
    frozen: list[Frozen] = []


class PermitNeed(msgspec.Struct, frozen=True):
    """A picked permit, as the inspector's phone has it: its number, who is on it in which permit
    roles (person id → roles), and each role's needed certificates (as covering item lists)."""

    number: str
    people: dict[str, list[str]]
    needs: dict[str, list[list[str]]]

    def required_of(self, worker_id: str) -> list[list[str]] | None:
        """What the worker's roles on this permit need; None when the worker is not on it."""
        roles = self.people.get(worker_id)
        if not roles:
            return None
        return [alts for role in roles for alts in self.needs.get(role, [])]


@dataclass
class Verdict:
    verdict: str
    reasons: list[dict[str, str]] = field(default_factory=list)
    kind: str | None = None
    kid: str | None = None
    worker: dict[str, Any] | None = None
    issued_at: int | None = None
    expires_at: int | None = None

    def add(self, level: str, code: str, detail: str = "") -> None:
        self.reasons.append({"level": level, "code": code, "message": MESSAGES[code], "detail": detail})

    def finish(self) -> Verdict:
        levels = {r["level"] for r in self.reasons}
        self.verdict = RED if RED in levels else AMBER if AMBER in levels else GREEN
        return self

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def load_trust_list(data: bytes, root_public: bytes) -> TrustList:
    """Verify the trust list's signature with the pinned root key, then decode it."""
    try:
        msg = cose.parse(data)
    except cose.CoseError as exc:
        raise TrustError(str(exc)) from None
    if not cose.verify(public_from_raw(root_public), msg):
        raise TrustError("trust list signature does not verify with the pinned root key")
    try:
        return msgspec.convert(cbor2.loads(msg.payload), TrustList)
    except (msgspec.ValidationError, cbor2.CBORDecodeError) as exc:
        raise TrustError(f"trust list malformed: {exc}") from None


def _unpack(text: str, out: Verdict) -> cose.Sign1 | None:
    text = text.strip()
    if not text.startswith(PREFIX):
        out.add(RED, "bad_prefix")
        return None
    try:
        packed = base45.decode(text[len(PREFIX) :])
    except base45.Base45Error as exc:
        out.add(RED, "bad_base45", str(exc))
        return None
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_INFLATED)
        if inflater.unconsumed_tail or not inflater.eof:
            raise zlib.error("truncated or too large")
    except zlib.error as exc:
        out.add(RED, "bad_zlib", str(exc))
        return None
    try:
        return cose.parse(raw)
    except cose.CoseError as exc:
        out.add(RED, "bad_cose", str(exc))
        return None


def _claims(payload: bytes) -> dict[str, Any] | None:
    try:
        top = cbor2.loads(payload)
    except Exception:
        return None
    if not isinstance(top, Mapping) or not isinstance(top.get(CLAIM), Mapping):
        return None
    inner = top[CLAIM]
    ok = (
        isinstance(top.get(1), str)
        and isinstance(top.get(4), int)
        and isinstance(top.get(6), int)
        and inner.get("t") in ("d", "b")
        and isinstance(inner.get("w"), bytes)
        and len(inner["w"]) == 16
    )
    if ok and inner["t"] == "d":
        ok = (
            isinstance(inner.get("n"), str)
            and inner.get("s") in ("active", "frozen")
            and isinstance(inner.get("v"), int)
            and isinstance(inner.get("c"), list | tuple)
            and all(_cert_ok(c) for c in inner["c"])
        )
    return {"iss": top[1], "exp": top[4], "iat": top[6], **inner} if ok else None


def _cert_ok(c: Any) -> bool:
    return (
        isinstance(c, list | tuple)
        and len(c) == 5
        and all(isinstance(x, str) for x in c[:3])
        and isinstance(c[3], int)
        and (c[4] is None or isinstance(c[4], int))
    )


def _usable(cert: list[Any], today: int) -> bool:
    return bool(cert[3] >= today and (cert[4] is None or cert[4] >= today))


def verify(
    text: str,
    trust: TrustList,
    now: int,
    synced: Synced | None = None,
    required: list[list[str]] | None = None,
    skew: int = 300,
    permit: PermitNeed | None = None,
) -> Verdict:
    """The verdict for one scanned code. `now`: epoch seconds on the inspector's device.

    With a picked `permit`, `required` is ignored: the worker must be on the permit (else red
    `not_on_permit`) and hold what their permit roles need."""
    out = Verdict(RED)
    msg = _unpack(text, out)
    if msg is None:
        return out.finish()
    out.kid = msg.kid.hex()
    key = next((k for k in trust.keys if k.kid == msg.kid), None)
    if key is None:
        out.add(RED, "unknown_key", out.kid)
        return out.finish()
    if not cose.verify(public_from_raw(key.pub), msg):
        out.add(RED, "bad_signature")
        return out.finish()
    claims = _claims(msg.payload)
    if claims is None:
        out.add(RED, "bad_payload")
        return out.finish()
    out.kind = "dynamic" if claims["t"] == "d" else "badge"
    out.issued_at, out.expires_at = claims["iat"], claims["exp"]
    if key.rv is not None:
        out.add(RED, "key_revoked")
    if claims["iat"] < key.nb or (key.na is not None and claims["iat"] >= key.na):
        out.add(RED, "key_not_valid_then")
    if claims["iat"] > now + skew:
        out.add(RED, "not_yet_valid")
    if claims["exp"] <= now:
        out.add(RED, "expired")
    wid = str(uuid.UUID(bytes=claims["w"]))
    mine = next((w for w in synced.workers if w.w == wid), None) if synced else None
    if claims["t"] == "d":
        worker: dict[str, Any] = {
            "id": wid,
            "name": claims["n"],
            "id_masked": claims.get("m", ""),
            "photo_hash": claims.get("p", b"").hex(),
            "status": claims["s"],
            "violations": claims["v"],
            "certs": [list(c) for c in claims["c"]],
        }
    elif mine is not None:
        worker = {
            "id": wid,
            "name": mine.n,
            "id_masked": mine.m,
            "photo_hash": mine.p,
            "status": "active",
            "violations": mine.v,
            "certs": mine.c,
        }
    else:
        worker = {"id": wid, "name": "", "id_masked": "", "photo_hash": "", "status": "active"}
        worker |= {"violations": 0, "certs": []}
        out.add(AMBER, "not_synced")
    out.worker = worker
    if permit is not None:
        required = permit.required_of(wid)
        if required is None:
            out.add(RED, "not_on_permit", permit.number)
    _judge(out, worker, trust, now, synced, required)
    return out.finish()


def _judge(
    out: Verdict,
    worker: dict[str, Any],
    trust: TrustList,
    now: int,
    synced: Synced | None,
    required: list[list[str]] | None,
) -> None:
    today = (now + trust.tz) // 86400
    freezes = [f for f in synced.frozen if f.w == worker["id"]] if synced else []
    if worker["status"] == "frozen" or any(f.item is None for f in freezes):
        out.add(RED, "worker_frozen")
    frozen_items = {f.item for f in freezes if f.item is not None}
    usable = {c[1] for c in worker["certs"] if _usable(c, today) and c[1] not in frozen_items}
    if required is not None:
        missing = [alts[0] for alts in required if not usable.intersection(alts)]
        if missing:
            out.add(RED, "certificate_missing", "、".join(missing))
    else:
        if any(not _usable(c, today) for c in worker["certs"]):
            out.add(AMBER, "certificate_lapsed")
        if frozen_items:
            out.add(AMBER, "item_frozen", "、".join(sorted(frozen_items)))
    if worker["violations"] > 0:
        out.add(AMBER, "open_violations", str(worker["violations"]))
    if synced is None or now - synced.as_of > trust.stale or now - trust.iat > trust.stale:
        out.add(AMBER, "data_stale")
