/** The pure state change of each command (twin of sync/mutators.py): the server runs them after its
 *  checks; this device runs them to show its pending ops on top of the server's state. */

import type { JsonObject, Operation } from "./messages";

export const CONTACT_FIELDS = ["phone", "locale"] as const;

export function updateFields(data: JsonObject | undefined, changes: JsonObject): JsonObject {
  return { ...(data ?? {}), ...changes };
}

export function gasReading(
  args: JsonObject,
  at: { recordedBy: string; measuredAt: number; hlc: string; permitStatus: unknown },
): JsonObject {
  return {
    permit_id: String(args.permit_id).toLowerCase(),
    o2_pct: args.o2_pct,
    lel_pct: args.lel_pct,
    h2s_ppm: args.h2s_ppm ?? 0,
    co_ppm: args.co_ppm ?? 0,
    measured_at: at.measuredAt,
    device_hlc: at.hlc,
    recorded_by: at.recordedBy,
    permit_status: at.permitStatus ?? null,
  };
}

export function approve(data: JsonObject, by: string, at: number, hlc: string): JsonObject {
  return { ...data, status: "approved", approved_by: by, approved_at: at, approval_hlc: hlc };
}

export function cancel(data: JsonObject, by: string, reason: string): JsonObject {
  return { ...data, status: "cancelled", cancelled_by: by, cancel_reason: reason };
}

export function entityKey(entity: string, id: string): string {
  return `${entity}/${id}`;
}

/** Show one op on a local copy, as the server would apply it if nothing else intervened
 *  (twin of sync/client.py apply_op). Unknown kinds change nothing here. */
export function applyOp(state: Map<string, JsonObject>, op: Operation, me: string): void {
  const key = entityKey(op.entity, op.entity_id);
  const wall = Number(op.hlc.slice(0, op.hlc.indexOf(":")));
  const current = state.get(key);
  switch (op.kind) {
    case "worker.update_contact":
    case "permit.edit_note":
      if (current) state.set(key, updateFields(current, op.args));
      break;
    case "gas.record": {
      const permit = state.get(entityKey("permit", String(op.args.permit_id).toLowerCase()));
      state.set(key, gasReading(op.args, { recordedBy: me, measuredAt: wall, hlc: op.hlc, permitStatus: permit?.status }));
      break;
    }
    case "permit.approve":
      if (current) state.set(key, approve(current, me, wall, op.hlc));
      break;
    case "permit.cancel":
      if (current) state.set(key, cancel(current, me, String(op.args.reason)));
      break;
    case "badge.scan": // the inspector's own scan log, shown until the server's copy arrives
      state.set(key, {
        inspector_id: me,
        verdict: op.args.verdict ?? null,
        reasons: op.args.reasons ?? [],
        work_type: op.args.work_type ?? null,
        scanned_at: wall,
      });
      break;
  }
}
