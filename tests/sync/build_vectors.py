"""Writes sync/vectors/*.json: the shared scenarios, with expectations written out by hand here.

Run `.venv/bin/python -m tests.sync.build_vectors` after changing a scenario; the signatures are
deterministic (RFC 6979), so an unchanged scenario rebuilds byte for byte and
tests/sync/test_vectors.py checks the committed files against this builder.

Vector format (read by tests/sync/vectors.py and pwa/src/sync/vectors.test.ts):
  people    the cast: id, name, unit_path, grants [[role, scope_path]], phone, passkey credentials
  devices   {id, person}
  entities  extra entities at the start (people are entities too, version 1)
  steps     in order, each at server time `at` (ms):
            push  {person, device, sent_at?, ops}  expect: one partial result per op
                  (`response: "dropped"` = the device never saw the answer)
            pull  {person, client} pages a simulated device to the end;
                  expect {put: [ids], del: [ids], reset}
            grants {person, grants}   an administrator changed someone's roles
            write  {entity, id, data?, deleted?}  another part of the server wrote an entity
  final     entities after the last step: version and a subset of data, or absent
  layers    where it runs: reference (Python), typescript (vitest), http (the real endpoints)
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sync.canonical import op_challenge
from tests.sync.signer import Signer

OUT = Path(__file__).resolve().parents[2] / "sync" / "vectors"
T0 = 1_795_852_800_000  # 2026-11-28T08:00:00Z
MIN = 60_000
HOUR = 60 * MIN
# A command no server registers (badge.scan was the example until the badges domain registered it).
UNKNOWN_KIND = "future.not_a_command"
BACKEND_KINDS = {"worker.update_contact", UNKNOWN_KIND}

ENT, SITE_A, WS_A, TEAM_A = "/ENT/", "/ENT/SA/", "/ENT/SA/SA-W1/", "/ENT/SA/SA-W1/SA-W1-T1/"
SITE_B, TEAM_B = "/ENT/SB/", "/ENT/SB/SB-W1/SB-W1-T1/"


def uid(n: int) -> str:
    return f"0195f000-0000-7000-8000-{n:012d}"


WORKER, GUARD1, GUARD2, LEADER, SAFETY, DIRECTOR, ADMIN, HR_B, WORKER_B = (uid(n) for n in range(1, 10))
D_WORKER, D_GUARD1, D_GUARD2, D_LEADER, D_SAFETY, D_DIRECTOR, D_ADMIN, D_HR_B = (
    uid(n) for n in range(101, 109)
)
PERMIT = uid(200)
SIGNERS = {SAFETY: Signer(5), DIRECTOR: Signer(6)}

CAST = [
    (WORKER, "赵铁柱", TEAM_A, [["worker", TEAM_A]], "13800000001"),
    (GUARD1, "王监护", TEAM_A, [["guardian", SITE_A]], "13800000002"),
    (GUARD2, "李监护", TEAM_A, [["guardian", SITE_A]], None),
    (LEADER, "周班长", TEAM_A, [["team_leader", WS_A]], None),
    (SAFETY, "孙安全", WS_A, [["safety_officer", SITE_A]], None),
    (DIRECTOR, "钱主任", WS_A, [["workshop_director", WS_A]], None),
    (ADMIN, "吴管理", ENT, [["admin", ENT]], None),
    (HR_B, "郑人事", SITE_B, [["hr", SITE_B]], None),
    (WORKER_B, "冯焊工", TEAM_B, [["worker", TEAM_B]], None),
]
DEVICES = {
    D_WORKER: WORKER,
    D_GUARD1: GUARD1,
    D_GUARD2: GUARD2,
    D_LEADER: LEADER,
    D_SAFETY: SAFETY,
    D_DIRECTOR: DIRECTOR,
    D_ADMIN: ADMIN,
    D_HR_B: HR_B,
}


def people() -> list[dict[str, Any]]:
    return [
        {
            "id": pid,
            "name": name,
            "unit_path": unit,
            "grants": grants,
            "phone": phone,
            "credentials": [SIGNERS[pid].credential()] if pid in SIGNERS else [],
        }
        for pid, name, unit, grants, phone in CAST
    ]


def permit(status: str = "pending") -> dict[str, Any]:
    return {
        "entity": "permit",
        "id": PERMIT,
        "version": 1,
        "scope_path": WS_A,
        "owner": None,
        "data": {"title": "聚合釜检修动火作业", "status": status, "scope_path": WS_A, "note": ""},
    }


class Ops:
    """Mints ops with stable ids for one vector."""

    def __init__(self, vector: int):
        self.next = vector * 1000

    def __call__(
        self,
        device: str,
        kind: str,
        entity: str,
        entity_id: str,
        args: dict[str, Any],
        wall: int,
        counter: int = 0,
        base_version: int | None = None,
    ) -> dict[str, Any]:
        self.next += 1
        op: dict[str, Any] = {
            "op_id": uid(10_000 + self.next),
            "device_id": device,
            "hlc": f"{wall:013d}:{counter:05d}:{device}",
            "kind": kind,
            "entity": entity,
            "entity_id": entity_id,
            "args": args,
        }
        if base_version is not None:
            op["base_version"] = base_version
        return op

    def gas(self, device: str, reading: int, wall: int, **values: float) -> dict[str, Any]:
        args = {"permit_id": PERMIT, "o2_pct": 20.9, "lel_pct": 0, "h2s_ppm": 0, "co_ppm": 0, **values}
        return self(device, "gas.record", "gas_reading", uid(300 + reading), args, wall)

    def contact(
        self, device: str, person: str, wall: int, base: int | None = 1, **fields: Any
    ) -> dict[str, Any]:
        return self(device, "worker.update_contact", "person", person, fields, wall, base_version=base)


def sign(op: dict[str, Any], person: str) -> dict[str, Any]:
    signed = dict(op)
    signed["signature"] = SIGNERS[person].assertion(op_challenge(op))
    return signed


def push(
    at: int, device: str, ops: list[dict[str, Any]], expect: list[dict[str, Any]] | None, **extra: Any
) -> dict[str, Any]:
    step: dict[str, Any] = {
        "at": at,
        "push": {
            "person": DEVICES[device],
            "device": device,
            "sent_at": extra.pop("sent_at", at),
            "ops": ops,
        },
    }
    if extra.pop("dropped", False):
        step["response"] = "dropped"
    else:
        step["expect"] = expect
    return step


def applied(version: int) -> dict[str, Any]:
    return {"status": "applied", "version": version}


def merged(version: int, lost: list[str]) -> dict[str, Any]:
    return {"status": "merged", "version": version, "lost": lost}


def rejected(code: str, **extra: Any) -> dict[str, Any]:
    return {"status": "rejected", "code": code, **extra}


def duplicate(original: dict[str, Any]) -> dict[str, Any]:
    return {"status": "duplicate", "original": original}


def person_final(pid: str, version: int, **data: Any) -> dict[str, Any]:
    return {"entity": "person", "id": pid, "version": version, "data": data}


def permit_final(version: int, **data: Any) -> dict[str, Any]:
    return {"entity": "permit", "id": PERMIT, "version": version, "data": data}


def reading_final(n: int, **data: Any) -> dict[str, Any]:
    return {"entity": "gas_reading", "id": uid(300 + n), "version": 1, "data": data}


def vector(
    name: str,
    title: str,
    steps: list[dict[str, Any]],
    final: list[dict[str, Any]],
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "people": people(),
        "devices": [{"id": d, "person": p} for d, p in DEVICES.items()],
        "entities": entities or [],
        "steps": steps,
        "final": final,
    }


# --- the scenarios -------------------------------------------------------------------------------


def v01() -> dict[str, Any]:
    op = Ops(1)
    return vector(
        "gas_two_guardians_same_permit",
        "两名监护人离线对同一作业票记录气体检测: 都被接受, 作业票不变",
        [
            push(
                T0 + 30 * MIN,
                D_GUARD1,
                [
                    op.gas(D_GUARD1, 1, T0 + 10 * MIN),
                    op.gas(D_GUARD1, 2, T0 + 20 * MIN, o2_pct=20.8, lel_pct=2),
                ],
                [applied(1), applied(1)],
            ),
            push(T0 + 31 * MIN, D_GUARD2, [op.gas(D_GUARD2, 3, T0 + 12 * MIN, co_ppm=5)], [applied(1)]),
        ],
        [
            permit_final(1, status="pending"),
            reading_final(
                1, recorded_by=GUARD1, measured_at=T0 + 10 * MIN, o2_pct=20.9, permit_status="pending"
            ),
            reading_final(2, recorded_by=GUARD1, measured_at=T0 + 20 * MIN, lel_pct=2),
            reading_final(3, recorded_by=GUARD2, measured_at=T0 + 12 * MIN, co_ppm=5),
        ],
        [permit()],
    )


def v02() -> dict[str, Any]:
    op = Ops(2)
    approval = sign(
        op(D_SAFETY, "permit.approve", "permit", PERMIT, {"comment": "同意"}, T0 + 5 * MIN, base_version=1),
        SAFETY,
    )
    return vector(
        "approve_offline_permit_cancelled_meanwhile",
        "离线审批时作业票已被取消: 审批被拒绝, 附当前状态",
        [
            push(
                T0 + 10 * MIN,
                D_LEADER,
                [op(D_LEADER, "permit.cancel", "permit", PERMIT, {"reason": "现场条件变化"}, T0 + 10 * MIN)],
                [applied(2)],
            ),
            push(
                T0 + 40 * MIN,
                D_SAFETY,
                [approval],
                [rejected("state_changed", current={"version": 2, "data": {"status": "cancelled"}})],
            ),
        ],
        [permit_final(2, status="cancelled", cancelled_by=LEADER, cancel_reason="现场条件变化")],
        [permit()],
    )


def v03() -> dict[str, Any]:
    op = Ops(3)
    return vector(
        "contact_concurrent_same_field",
        "两处同时修改同一电话: 时间较晚的修改保留, 较早者得知被覆盖",
        [
            push(
                T0 + 21 * MIN,
                D_ADMIN,
                [op.contact(D_ADMIN, WORKER, T0 + 20 * MIN, phone="13922220000")],
                [applied(2)],
            ),
            push(
                T0 + 30 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, WORKER, T0 + 10 * MIN, phone="13911110000")],
                [merged(2, ["phone"])],
            ),
        ],
        [person_final(WORKER, 2, phone="13922220000")],
    )


def v04() -> dict[str, Any]:
    op = Ops(4)
    return vector(
        "contact_concurrent_different_fields",
        "两处同时修改不同字段: 两个修改都保留",
        [
            push(
                T0 + 21 * MIN,
                D_ADMIN,
                [op.contact(D_ADMIN, WORKER, T0 + 20 * MIN, phone="13922220000")],
                [applied(2)],
            ),
            push(
                T0 + 30 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, WORKER, T0 + 10 * MIN, locale="en")],
                [merged(3, [])],
            ),
        ],
        [person_final(WORKER, 3, phone="13922220000", locale="en")],
    )


def v05() -> dict[str, Any]:
    op = Ops(5)
    first = op.contact(D_WORKER, WORKER, T0 + 10 * MIN, phone="13911110000")
    return vector(
        "duplicate_retry_after_dropped_response",
        "响应丢失后重发: 返回原结果, 不重复执行",
        [
            push(T0 + 10 * MIN, D_WORKER, [first], None, dropped=True),
            push(T0 + 12 * MIN, D_WORKER, [first], [duplicate(applied(2))]),
            push(
                T0 + 13 * MIN,
                D_WORKER,
                [first, op.contact(D_WORKER, WORKER, T0 + 13 * MIN, base=2, locale="en")],
                [duplicate(applied(2)), applied(3)],
            ),
        ],
        [person_final(WORKER, 3, phone="13911110000", locale="en")],
    )


def v06() -> dict[str, Any]:
    op = Ops(6)
    reading = op.gas(D_GUARD1, 1, T0 + 10 * MIN)
    return vector(
        "duplicate_within_one_batch",
        "同一批次内重复的操作只执行一次",
        [push(T0 + 20 * MIN, D_GUARD1, [reading, reading], [applied(1), duplicate(applied(1))])],
        [reading_final(1, recorded_by=GUARD1)],
        [permit()],
    )


def v07() -> dict[str, Any]:
    op = Ops(7)
    return vector(
        "device_clock_two_hours_ahead",
        "设备时钟快两小时: 服务器按推送时测得的偏差校正, 实际较晚的修改保留",
        [
            push(
                T0 + 31 * MIN,
                D_ADMIN,
                [op.contact(D_ADMIN, WORKER, T0 + 30 * MIN, phone="13922220000")],
                [applied(2)],
            ),
            push(
                T0 + 40 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, WORKER, T0 + 2 * HOUR + 10 * MIN, phone="13911110000")],
                [merged(2, ["phone"])],
                sent_at=T0 + 2 * HOUR + 40 * MIN,
            ),
        ],
        [person_final(WORKER, 2, phone="13922220000")],
    )


def v08() -> dict[str, Any]:
    op = Ops(8)
    return vector(
        "device_clock_two_hours_behind",
        "设备时钟慢两小时: 校正后, 实际较晚的离线修改仍然保留",
        [
            push(
                T0 + 11 * MIN,
                D_ADMIN,
                [op.contact(D_ADMIN, WORKER, T0 + 10 * MIN, phone="13922220000")],
                [applied(2)],
            ),
            push(
                T0 + 40 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, WORKER, T0 - 2 * HOUR + 30 * MIN, phone="13911110000")],
                [merged(3, [])],
                sent_at=T0 - 2 * HOUR + 40 * MIN,
            ),
        ],
        [person_final(WORKER, 3, phone="13911110000")],
    )


def v09() -> dict[str, Any]:
    op = Ops(9)
    return vector(
        "gas_reading_time_corrected_for_skew",
        "气体读数的检测时间按设备时钟偏差校正, 且不晚于服务器收到的时间",
        [
            push(
                T0 + 20 * MIN,
                D_GUARD1,
                [op.gas(D_GUARD1, 1, T0 + 2 * HOUR + 10 * MIN)],
                [applied(1)],
                sent_at=T0 + 2 * HOUR + 20 * MIN,
            ),
            push(
                T0 + 20 * MIN,
                D_GUARD2,
                [op.gas(D_GUARD2, 2, T0 + 2 * HOUR + 15 * MIN)],
                [applied(1)],
                sent_at=None,
            ),
        ],
        [reading_final(1, measured_at=T0 + 10 * MIN), reading_final(2, measured_at=T0 + 20 * MIN)],
        [permit()],
    )


def v10() -> dict[str, Any]:
    op = Ops(10)
    approval = sign(
        op(D_DIRECTOR, "permit.approve", "permit", PERMIT, {}, T0 + 5 * MIN, base_version=1), DIRECTOR
    )
    return vector(
        "revoked_approver_offline_signature",
        "审批人离线签字后被撤销审批权限: 签名有效但审批被拒绝",
        [
            {"at": T0 + 10 * MIN, "grants": {"person": DIRECTOR, "grants": []}},
            push(
                T0 + 20 * MIN,
                D_DIRECTOR,
                [approval],
                [rejected("role_required", current={"version": 1, "data": {"status": "pending"}})],
            ),
        ],
        [permit_final(1, status="pending")],
        [permit()],
    )


def v11() -> dict[str, Any]:
    op = Ops(11)
    approval = op(D_SAFETY, "permit.approve", "permit", PERMIT, {}, T0 + 5 * MIN, base_version=1)
    approval = {**approval, "signature": SIGNERS[DIRECTOR].assertion(op_challenge(approval))}
    return vector(
        "signature_from_another_persons_passkey",
        "用他人的通行密钥签名的审批被拒绝",
        [push(T0 + 10 * MIN, D_SAFETY, [approval], [rejected("signature_invalid")])],
        [permit_final(1, status="pending")],
        [permit()],
    )


def v12() -> dict[str, Any]:
    op = Ops(12)
    approval = sign(
        op(D_SAFETY, "permit.approve", "permit", PERMIT, {"comment": "同意"}, T0 + 5 * MIN, base_version=1),
        SAFETY,
    )
    tampered = copy.deepcopy(approval)
    tampered["args"]["comment"] = "同意（已改）"
    return vector(
        "signature_over_a_different_op",
        "签名后被改动的审批操作被拒绝",
        [push(T0 + 10 * MIN, D_SAFETY, [tampered], [rejected("signature_invalid")])],
        [permit_final(1, status="pending")],
        [permit()],
    )


def v13() -> dict[str, Any]:
    op = Ops(13)
    return vector(
        "approval_without_signature",
        "没有签名的审批被拒绝",
        [
            push(
                T0 + 10 * MIN,
                D_SAFETY,
                [op(D_SAFETY, "permit.approve", "permit", PERMIT, {}, T0 + 5 * MIN, base_version=1)],
                [rejected("signature_missing")],
            )
        ],
        [permit_final(1, status="pending")],
        [permit()],
    )


def v14() -> dict[str, Any]:
    op = Ops(14)
    approval = sign(
        op(D_SAFETY, "permit.approve", "permit", PERMIT, {}, T0 + 5 * MIN, base_version=1), SAFETY
    )
    return vector(
        "approve_stale_after_permit_edit",
        "审批人离线期间作业票内容被修改: 审批的是旧版本, 被拒绝",
        [
            push(
                T0 + 10 * MIN,
                D_LEADER,
                [
                    op(
                        D_LEADER,
                        "permit.edit_note",
                        "permit",
                        PERMIT,
                        {"note": "增加盲板隔离"},
                        T0 + 10 * MIN,
                        base_version=1,
                    )
                ],
                [applied(2)],
            ),
            push(
                T0 + 20 * MIN,
                D_SAFETY,
                [approval],
                [rejected("stale", current={"version": 2, "data": {"note": "增加盲板隔离"}})],
            ),
        ],
        [permit_final(2, status="pending", note="增加盲板隔离")],
        [permit()],
    )


def v15() -> dict[str, Any]:
    op = Ops(15)
    return vector(
        "gas_on_cancelled_permit_is_kept",
        "作业票取消后才同步的气体读数仍被保存, 并标明当时状态",
        [
            push(
                T0 + 10 * MIN,
                D_LEADER,
                [op(D_LEADER, "permit.cancel", "permit", PERMIT, {"reason": "停电"}, T0 + 10 * MIN)],
                [applied(2)],
            ),
            push(T0 + 30 * MIN, D_GUARD1, [op.gas(D_GUARD1, 1, T0 + 5 * MIN)], [applied(1)]),
        ],
        [
            permit_final(2, status="cancelled"),
            reading_final(1, permit_status="cancelled", measured_at=T0 + 5 * MIN),
        ],
        [permit()],
    )


def v16() -> dict[str, Any]:
    op = Ops(16)
    older = op.contact(D_WORKER, WORKER, T0 + 1 * MIN, phone="13911110001")
    newer = op.contact(D_WORKER, WORKER, T0 + 2 * MIN, phone="13911110002")
    return vector(
        "ops_applied_in_device_order",
        "批次内顺序颠倒时, 服务器按设备 HLC 顺序执行",
        [push(T0 + 10 * MIN, D_WORKER, [newer, older], [applied(2), applied(2)])],
        [person_final(WORKER, 2, phone="13911110002")],
    )


def v17() -> dict[str, Any]:
    op = Ops(17)
    scan = op(D_WORKER, UNKNOWN_KIND, "future_record", uid(400), {"badge": "X"}, T0 + 1 * MIN)
    return vector(
        "unknown_kind_is_deferred",
        "服务器尚不支持的命令: 暂缓 (保留在设备上), 不影响同批其他操作",
        [
            push(
                T0 + 10 * MIN,
                D_WORKER,
                [scan, op.contact(D_WORKER, WORKER, T0 + 2 * MIN, locale="en")],
                [{"status": "deferred", "code": "unknown_kind"}, applied(2)],
            ),
            push(T0 + 20 * MIN, D_WORKER, [scan], [{"status": "deferred", "code": "unknown_kind"}]),
        ],
        [person_final(WORKER, 2, locale="en")],
    )


def v18() -> dict[str, Any]:
    op = Ops(18)
    broken = {"op_id": uid(18_999), "kind": "worker.update_contact", "args": {"phone": "13911110000"}}
    return vector(
        "malformed_op_does_not_block_batch",
        "格式错误的操作被拒绝, 同批其他操作照常执行",
        [
            push(
                T0 + 10 * MIN,
                D_WORKER,
                [
                    op.contact(D_WORKER, WORKER, T0 + 1 * MIN, phone="13911110000"),
                    broken,
                    op.contact(D_WORKER, WORKER, T0 + 2 * MIN, locale="en"),
                ],
                [applied(2), rejected("malformed_op", op_id=uid(18_999)), applied(2)],
            )
        ],
        [person_final(WORKER, 2, phone="13911110000", locale="en")],
    )


def v19() -> dict[str, Any]:
    op = Ops(19)
    bad_phone = op.contact(D_WORKER, WORKER, T0 + 1 * MIN, phone="call me")
    return vector(
        "invalid_contact_rejected_and_remembered",
        "无效的联系方式被拒绝; 重发得到同一拒绝结果",
        [
            push(
                T0 + 10 * MIN,
                D_WORKER,
                [bad_phone, op.contact(D_WORKER, WORKER, T0 + 2 * MIN, locale="fr")],
                [rejected("phone_invalid"), rejected("locale_invalid")],
            ),
            push(T0 + 11 * MIN, D_WORKER, [bad_phone], [duplicate(rejected("phone_invalid"))]),
        ],
        [person_final(WORKER, 1, phone="13800000001", locale="zh-CN")],
    )


def v20() -> dict[str, Any]:
    op = Ops(20)
    return vector(
        "invalid_gas_reading_rejected",
        "超出量程的气体读数被拒绝, 同批有效读数照常保存",
        [
            push(
                T0 + 10 * MIN,
                D_GUARD1,
                [op.gas(D_GUARD1, 1, T0 + 1 * MIN, o2_pct=150), op.gas(D_GUARD1, 2, T0 + 2 * MIN)],
                [rejected("invalid_args"), applied(1)],
            )
        ],
        [{"entity": "gas_reading", "id": uid(301), "absent": True}, reading_final(2, o2_pct=20.9)],
        [permit()],
    )


def v21() -> dict[str, Any]:
    op = Ops(21)
    return vector(
        "contact_edit_rights",
        "只能改本人联系方式; 管理员/人事只能改其范围内人员",
        [
            push(
                T0 + 10 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, GUARD1, T0 + 1 * MIN, phone="13911110000")],
                [rejected("role_required")],
            ),
            push(
                T0 + 11 * MIN,
                D_HR_B,
                [op.contact(D_HR_B, WORKER, T0 + 2 * MIN, phone="13911110000")],
                [rejected("role_required")],
            ),
            push(
                T0 + 12 * MIN,
                D_ADMIN,
                [op.contact(D_ADMIN, WORKER, T0 + 3 * MIN, phone="13933330000")],
                [applied(2)],
            ),
        ],
        [person_final(GUARD1, 1, phone="13800000002"), person_final(WORKER, 2, phone="13933330000")],
    )


def v22() -> dict[str, Any]:
    op = Ops(22)
    mine = op.contact(D_WORKER, WORKER, T0 + 1 * MIN, phone="13911110000")
    theirs = {**op.contact(D_GUARD1, GUARD1, T0 + 2 * MIN, phone="13922220000"), "op_id": mine["op_id"]}
    return vector(
        "op_id_reused_by_another_device",
        "另一设备重用已被使用的操作编号: 拒绝, 不覆盖原结果",
        [
            push(T0 + 10 * MIN, D_WORKER, [mine], [applied(2)]),
            push(T0 + 11 * MIN, D_GUARD1, [theirs], [rejected("op_id_taken")]),
            push(T0 + 12 * MIN, D_WORKER, [mine], [duplicate(applied(2))]),
        ],
        [person_final(WORKER, 2, phone="13911110000"), person_final(GUARD1, 1, phone="13800000002")],
    )


def v23() -> dict[str, Any]:
    op = Ops(23)
    return vector(
        "op_of_another_device_in_batch",
        "批次中夹带其他设备的操作: 该操作被拒绝",
        [
            push(
                T0 + 10 * MIN,
                D_WORKER,
                [op.contact(D_GUARD1, WORKER, T0 + 1 * MIN, phone="13911110000")],
                [rejected("device_mismatch")],
            )
        ],
        [person_final(WORKER, 1, phone="13800000001")],
    )


def v24() -> dict[str, Any]:
    op = Ops(24)
    approval = sign(
        op(D_SAFETY, "permit.approve", "permit", PERMIT, {}, T0 + 5 * MIN, base_version=1), SAFETY
    )
    cancel = op(D_SAFETY, "permit.cancel", "permit", PERMIT, {"reason": "气体复测不合格"}, T0 + 6 * MIN)
    return vector(
        "officer_approves_then_cancels_offline",
        "安全员离线先审批后取消: 按设备顺序执行, 两者都生效",
        [push(T0 + 10 * MIN, D_SAFETY, [cancel, approval], [applied(2), applied(2)])],
        [
            permit_final(
                2, status="cancelled", approved_by=SAFETY, cancelled_by=SAFETY, approved_at=T0 + 10 * MIN
            )
        ],
        [permit()],
    )


def v25() -> dict[str, Any]:
    op = Ops(25)
    return vector(
        "lww_tie_broken_by_device_id",
        "两个修改时间完全相同: 按设备编号决定, 结果确定",
        [
            push(
                T0 + 20 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, WORKER, T0 + 10 * MIN, phone="13911110000")],
                [applied(2)],
            ),
            push(
                T0 + 21 * MIN,
                D_ADMIN,
                [op.contact(D_ADMIN, WORKER, T0 + 10 * MIN, phone="13922220000")],
                [merged(3, [])],
            ),
        ],
        [person_final(WORKER, 3, phone="13922220000")],
    )


def v26() -> dict[str, Any]:
    op = Ops(26)
    old = op(
        D_GUARD1,
        "gas.record",
        "gas_reading",
        uid(301),
        {"permit_id": PERMIT, "o2_pct": 20.9, "lel_pct": 1},
        T0 + 1 * MIN,
    )
    new = {**op.gas(D_GUARD1, 2, T0 + 2 * MIN), "app_version": "9.9.0"}
    return vector(
        "schema_evolution_old_and_new_ops",
        "旧版应用少传的字段取默认值; 新版多出的信封字段被忽略",
        [push(T0 + 10 * MIN, D_GUARD1, [old, new], [applied(1), applied(1)])],
        [reading_final(1, h2s_ppm=0, co_ppm=0, lel_pct=1), reading_final(2, o2_pct=20.9)],
        [permit()],
    )


def v27() -> dict[str, Any]:
    op = Ops(27)
    old = op.contact(D_WORKER, WORKER, T0 + 1 * MIN, base=None, phone="13911110000")
    new = {**op.contact(D_WORKER, WORKER, T0 + 2 * MIN, base=1, locale="en"), "app_version": "9.9.0"}
    return vector(
        "schema_evolution_contact",
        "没有 base_version 的旧操作与带新字段的新操作都被接受",
        [push(T0 + 10 * MIN, D_WORKER, [old, new], [applied(2), applied(2)])],
        [person_final(WORKER, 2, phone="13911110000", locale="en")],
    )


def v28() -> dict[str, Any]:
    op = Ops(28)
    everyone_a = [WORKER, GUARD1, GUARD2, LEADER, SAFETY, DIRECTOR]
    return vector(
        "pull_scopes_and_compaction",
        "拉取按角色范围过滤, 每个实体只下发最新版本",
        [
            push(
                T0 + 10 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, WORKER, T0 + 1 * MIN, phone="13911110000")],
                [applied(2)],
            ),
            push(
                T0 + 11 * MIN,
                D_WORKER,
                [op.contact(D_WORKER, WORKER, T0 + 2 * MIN, base=2, locale="en")],
                [applied(3)],
            ),
            push(T0 + 12 * MIN, D_GUARD1, [op.gas(D_GUARD1, 1, T0 + 3 * MIN)], [applied(1)]),
            {
                "at": T0 + 13 * MIN,
                "pull": {"person": WORKER, "client": "worker"},
                "expect": {"put": [WORKER], "del": [], "reset": False, "versions": {WORKER: 3}},
            },
            {
                "at": T0 + 13 * MIN,
                "pull": {"person": GUARD1, "client": "guard1"},
                "expect": {"put": [*everyone_a, PERMIT, uid(301)], "del": [], "reset": False},
            },
            {
                "at": T0 + 14 * MIN,
                "pull": {"person": HR_B, "client": "hr_b"},
                "expect": {"put": [HR_B, WORKER_B], "del": [], "reset": False},
            },
        ],
        [person_final(WORKER, 3, phone="13911110000", locale="en")],
        [permit()],
    )


def v29() -> dict[str, Any]:
    return vector(
        "scope_change_resets_device",
        "监护人调到另一厂区: 设备上的原厂区数据被替换",
        [
            {
                "at": T0 + 1 * MIN,
                "pull": {"person": GUARD1, "client": "guard1"},
                "expect": {
                    "put": [WORKER, GUARD1, GUARD2, LEADER, SAFETY, DIRECTOR, PERMIT],
                    "del": [],
                    "reset": False,
                },
            },
            {"at": T0 + 2 * MIN, "grants": {"person": GUARD1, "grants": [["guardian", SITE_B]]}},
            {
                "at": T0 + 3 * MIN,
                "pull": {"person": GUARD1, "client": "guard1"},
                "expect": {"put": [GUARD1, HR_B, WORKER_B], "del": [], "reset": True},
            },
        ],
        [permit_final(1, status="pending")],
        [permit()],
    )


def v30() -> dict[str, Any]:
    op = Ops(30)
    return vector(
        "tombstones_for_deleted_entities",
        "已下发的实体被删除后, 下次拉取得到删除标记",
        [
            {
                "at": T0 + 1 * MIN,
                "pull": {"person": GUARD1, "client": "guard1"},
                "expect": {
                    "put": [WORKER, GUARD1, GUARD2, LEADER, SAFETY, DIRECTOR, PERMIT],
                    "del": [],
                    "reset": False,
                },
            },
            push(T0 + 2 * MIN, D_GUARD1, [op.gas(D_GUARD1, 1, T0 + 2 * MIN)], [applied(1)]),
            {"at": T0 + 3 * MIN, "write": {"entity": "permit", "id": PERMIT, "deleted": True}},
            {
                "at": T0 + 4 * MIN,
                "pull": {"person": GUARD1, "client": "guard1"},
                "expect": {"put": [uid(301)], "del": [PERMIT], "reset": False},
            },
            {
                "at": T0 + 4 * MIN,
                "pull": {"person": GUARD2, "client": "guard2"},
                "expect": {
                    "put": [WORKER, GUARD1, GUARD2, LEADER, SAFETY, DIRECTOR, uid(301)],
                    "del": [],
                    "reset": False,
                },
            },
        ],
        [{"entity": "permit", "id": PERMIT, "version": 2, "deleted": True}],
        [permit()],
    )


VECTORS = [
    v01,
    v02,
    v03,
    v04,
    v05,
    v06,
    v07,
    v08,
    v09,
    v10,
    v11,
    v12,
    v13,
    v14,
    v15,
    v16,
    v17,
    v18,
    v19,
    v20,
    v21,
    v22,
    v23,
    v24,
    v25,
    v26,
    v27,
    v28,
    v29,
    v30,
]


def layers(vec: dict[str, Any]) -> list[str]:
    """Which implementations run a vector: the real endpoints only know the backend's commands."""
    kinds = {op.get("kind") for step in vec["steps"] if "push" in step for op in step["push"]["ops"]}
    http = kinds <= BACKEND_KINDS and not vec["entities"] and all("push" in step for step in vec["steps"])
    return ["reference", "typescript", *(["http"] if http else [])]


def build() -> dict[str, str]:
    """File name → JSON text of every vector."""
    out = {}
    for number, make in enumerate(VECTORS, start=1):
        vec = make()
        vec["layers"] = layers(vec)
        out[f"{number:02d}_{vec['name']}.json"] = json.dumps(vec, ensure_ascii=False, indent=1) + "\n"
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for name, text in build().items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(VECTORS)} vectors to {OUT}")


if __name__ == "__main__":
    main()
