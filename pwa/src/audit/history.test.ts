import { describe, expect, it } from "vitest";

import { memoryStorage } from "../test-support";
import { type AuditClient, checkHistory } from "./history";
import type { TreeHead } from "./proof";
import { vectors } from "./vectors";

const head = vectors.history.tree_head as TreeHead;

function client(consistency = vectors.consistency) {
  const calls: string[] = [];
  const fake: AuditClient = {
    issueTreeHead: async () => (calls.push("sth"), head),
    auditKey: async () => (calls.push("key"), vectors.key),
    auditHistory: async () => (calls.push("history"), vectors.history),
    auditConsistency: async (first, second) => (calls.push(`consistency ${first}-${second}`), { consistency }),
  };
  return { calls, fake };
}

describe("checkHistory", () => {
  it("marks entries and remembers the head it accepted", async () => {
    const storage = memoryStorage();
    const { calls, fake } = client();
    const checked = await checkHistory(fake, "person", vectors.history.entity_id, storage);
    expect(checked.head).toBe("ok");
    expect(Object.values(checked.marks).filter((m) => m === "verified")).toHaveLength(vectors.history.entries.length - 1);
    expect(JSON.parse(storage.get("tezuo.audit.head")!)).toEqual(head);
    expect(calls).not.toContain("consistency 12-12");
  });

  it("asks for a consistency proof from the head it saw before", async () => {
    const storage = memoryStorage();
    storage.set("tezuo.audit.head", JSON.stringify(vectors.old_head));
    const { calls, fake } = client();
    const checked = await checkHistory(fake, "person", vectors.history.entity_id, storage);
    expect(calls).toContain(`consistency ${vectors.old_head.tree_size}-${head.tree_size}`);
    expect(checked.head).toBe("ok");
  });

  it("fails every entry when the log no longer extends what this device saw", async () => {
    const storage = memoryStorage();
    storage.set("tezuo.audit.head", JSON.stringify(vectors.old_head));
    const { fake } = client([...vectors.consistency].reverse());
    const checked = await checkHistory(fake, "person", vectors.history.entity_id, storage);
    expect(checked.head).toBe("bad");
    expect(new Set(Object.values(checked.marks))).toEqual(new Set(["failed"]));
    expect(JSON.parse(storage.get("tezuo.audit.head")!)).toEqual(vectors.old_head); // not replaced

    storage.set("tezuo.audit.head", JSON.stringify({ ...head, tree_size: head.tree_size + 5 }));
    expect((await checkHistory(client().fake, "person", vectors.history.entity_id, storage)).head).toBe("bad");
  });
});
