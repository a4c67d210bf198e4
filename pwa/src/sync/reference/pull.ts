/** The pull rules (twin of sync/pull.py): compacted, scope-filtered pages with tombstones. */

import { sha256 } from "../canonical";
import type { Change, JsonObject } from "../messages";

export interface LogRow {
  seq: number;
  entity: string;
  entity_id: string;
  version: number;
  deleted: boolean;
  data: JsonObject;
  scope_path: string | null;
  owner_id: string | null;
}

export class Viewer {
  constructor(
    readonly personId: string,
    readonly scopes: string[],
    readonly unitPaths: string[],
  ) {}

  sees(row: LogRow, pathEntities: Set<string>): boolean {
    if (row.deleted) return false;
    if (row.owner_id !== null && row.owner_id === this.personId) return true;
    if (row.scope_path === null) return false;
    if (this.scopes.some((scope) => row.scope_path!.startsWith(scope))) return true;
    return pathEntities.has(row.entity) && this.unitPaths.includes(row.scope_path);
  }

  async fingerprint(): Promise<string> {
    const text = [this.personId, ...[...this.scopes].sort(), "#", ...[...this.unitPaths].sort()].join("|");
    const digest = await sha256(new TextEncoder().encode(text));
    return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
  }
}

export function ancestors(paths: string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    const parts = path.split("/").filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth++) out.add(`/${parts.slice(0, depth).join("/")}/`);
  }
  return [...out].sort();
}

export interface Page {
  changes: Change[];
  cursor: number;
  more: boolean;
}

export function pullPage(log: LogRow[], viewer: Viewer, cursor: number, limit: number, pathEntities: Set<string>): Page {
  const history = new Map<string, LogRow[]>();
  for (const row of log) {
    const rows = history.get(row.entity_id) ?? [];
    rows.push(row);
    history.set(row.entity_id, rows);
  }
  const latest = [...history.values()]
    .map((rows) => rows[rows.length - 1]!)
    .filter((row) => row.seq > cursor)
    .sort((a, b) => a.seq - b.seq);
  const changes: Change[] = [];
  for (const row of latest) {
    let change: Change | null = null;
    if (viewer.sees(row, pathEntities)) {
      change = { type: "put", seq: row.seq, entity: row.entity, entity_id: row.entity_id, version: row.version, data: row.data };
    } else if (cursor > 0 && history.get(row.entity_id)!.some((r) => r.seq <= cursor && viewer.sees(r, pathEntities))) {
      change = { type: "del", seq: row.seq, entity: row.entity, entity_id: row.entity_id, version: row.version };
    }
    if (change === null) continue;
    if (changes.length === limit) return { changes, cursor: changes[changes.length - 1]!.seq, more: true };
    changes.push(change);
  }
  return { changes, cursor: log.length ? log[log.length - 1]!.seq : cursor, more: false };
}
