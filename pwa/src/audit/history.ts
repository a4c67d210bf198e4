/**
 * Load an entity's audit history and mark each entry, all checks on this device: the signed head's
 * signature, the head's consistency with the last head this device accepted (so a log rewritten
 * behind our back shows), then each entry's leaf and inclusion proof.
 */

import type { KeyValueStorage } from "../store";
import {
  fromBase64,
  type History,
  type LogKey,
  type Mark,
  markOf,
  type TreeHead,
  verifyConsistency,
  verifyTreeHead,
} from "./proof";

export interface AuditClient {
  issueTreeHead(): Promise<TreeHead>;
  auditKey(): Promise<LogKey>;
  auditHistory(entity: string, entityId: string): Promise<History>;
  auditConsistency(first: number, second: number): Promise<{ consistency: string[] }>;
}

/** ok: signed and consistent with what this device saw before; bad: either check failed. */
export type HeadState = "ok" | "none" | "bad";

export interface Checked {
  history: History;
  head: HeadState;
  marks: Record<number, Mark>;
}

const SEEN_KEY = "tezuo.audit.head";

function lastSeen(storage: KeyValueStorage): TreeHead | null {
  try {
    return JSON.parse(storage.get(SEEN_KEY) ?? "null") as TreeHead | null;
  } catch {
    return null;
  }
}

async function consistentWithSeen(client: AuditClient, head: TreeHead, seen: TreeHead | null): Promise<boolean> {
  if (!seen || seen.tree_size === 0) return true;
  if (seen.tree_size > head.tree_size) return false; // the log shrank since this device last looked
  const proof =
    seen.tree_size === head.tree_size ? [] : (await client.auditConsistency(seen.tree_size, head.tree_size)).consistency;
  const oldRoot = fromBase64(seen.sha256_root_hash);
  const newRoot = fromBase64(head.sha256_root_hash);
  return verifyConsistency(seen.tree_size, head.tree_size, oldRoot, newRoot, proof.map(fromBase64));
}

export async function checkHistory(
  client: AuditClient,
  entity: string,
  entityId: string,
  storage: KeyValueStorage,
): Promise<Checked> {
  await client.issueTreeHead(); // a fresh head covers recent entries (the server rate-limits signing)
  const [history, key] = await Promise.all([client.auditHistory(entity, entityId), client.auditKey()]);
  const head = history.tree_head;
  let state: HeadState = "none";
  if (head) {
    const ok = (await verifyTreeHead(head, key)) && (await consistentWithSeen(client, head, lastSeen(storage)));
    state = ok ? "ok" : "bad";
    if (ok) storage.set(SEEN_KEY, JSON.stringify(head));
  }
  const marks: Record<number, Mark> = {};
  for (const entry of history.entries) {
    marks[entry.leaf_index] = state === "bad" ? "failed" : await markOf(entry, state === "ok" ? head : null);
  }
  return { history, head: state, marks };
}
