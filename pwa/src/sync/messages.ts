/** Wire types of the sync protocol (twin of sync/messages.py). */

export type JsonObject = Record<string, unknown>;

/** An intent recorded on this device: a named command, never a raw row write. */
export interface Operation {
  op_id: string;
  device_id: string;
  hlc: string;
  kind: string;
  entity: string;
  entity_id: string;
  base_version?: number | null;
  args: JsonObject;
  signature?: JsonObject | null;
}

export interface EntityState {
  entity: string;
  entity_id: string;
  version: number;
  data: JsonObject;
  deleted: boolean;
}

export interface Applied {
  status: "applied";
  op_id: string;
  version: number;
  server_seq: number;
}
export interface Merged {
  status: "merged";
  op_id: string;
  version: number;
  server_seq: number;
  lost: string[];
}
export interface Rejected {
  status: "rejected";
  op_id: string | null;
  code: string;
  reason: string;
  current: EntityState | null;
}
export interface Duplicate {
  status: "duplicate";
  op_id: string;
  original: Final;
}
export interface Deferred {
  status: "deferred";
  op_id: string | null;
  code: string;
  reason: string;
  retry_after_ms: number;
}
export type Final = Applied | Merged | Rejected;
export type OpResult = Final | Duplicate | Deferred;

/** The decided outcome behind a result, or null if the server has not decided it yet. */
export function finalOf(result: OpResult): Final | null {
  if (result.status === "duplicate") return result.original;
  if (result.status === "deferred") return null;
  return result;
}

export interface Put {
  type: "put";
  seq: number;
  entity: string;
  entity_id: string;
  version: number;
  data: JsonObject;
}
export interface Tombstone {
  type: "del";
  seq: number;
  entity: string;
  entity_id: string;
  version: number;
}
export type Change = Put | Tombstone;

export interface PushRequest {
  device_id: string;
  ops: unknown[];
  sent_at?: number | null;
  device_name?: string;
}
export interface PushResponse {
  results: OpResult[];
  server_time: number;
}
export interface PullRequest {
  cursor: number;
  limit?: number;
  scope?: string;
}
export interface PullResponse {
  changes: Change[];
  cursor: number;
  more: boolean;
  server_time: number;
  scope: string;
  reset: boolean;
  commands?: string[]; // the kinds this server decides (absent from older servers)
}
