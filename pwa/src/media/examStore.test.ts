import "fake-indexeddb/auto";

import { describe, expect, it } from "vitest";

import { Api } from "../api";
import { drain, keep, recordings } from "./examStore";

/** A server that keeps sessions like the real one: offsets, chunk limit, offset checks. */
function server(chunkMax: number) {
  const sessions = new Map<string, { size: number; data: Uint8Array; offset: number }>();
  let puts = 0;
  let failAfter = Infinity;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const state = (id: string) => {
    const s = sessions.get(id)!;
    return { id, person_id: "p", item_key: "mem:02-01", size: s.size, offset: s.offset, chunk_max: chunkMax, expires_at: "" };
  };
  const fetcher = async (path: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(path, "http://x");
    const id = url.pathname.split("/")[4] ?? "";
    if (init?.method === "POST" && url.pathname === "/api/media/exam-uploads/") {
      const body = JSON.parse(String(init.body)) as { size: number };
      const sid = `u${sessions.size + 1}`;
      sessions.set(sid, { size: body.size, data: new Uint8Array(body.size), offset: 0 });
      return json(201, state(sid));
    }
    if (init?.method === "GET") return json(200, state(id));
    if (init?.method === "PUT") {
      if (++puts > failAfter) throw new TypeError("Failed to fetch"); // offline from here
      const s = sessions.get(id)!;
      const offset = Number(url.searchParams.get("offset"));
      if (offset !== s.offset) return json(409, { code: "upload_offset_mismatch", detail: "", offset: s.offset });
      const bytes = new Uint8Array(await (init.body as Blob).arrayBuffer());
      s.data.set(bytes, offset);
      s.offset += bytes.length;
      return json(200, state(id));
    }
    if (init?.method === "POST" && url.pathname.endsWith("/complete")) return json(201, { id: "v1", status: "uploaded" });
    return json(404, { code: "not_found", detail: "" });
  };
  return {
    api: new Api(fetcher),
    sessions,
    offlineAfter(n: number) {
      failAfter = puts + n;
    },
    online() {
      failAfter = Infinity;
    },
    get puts() {
      return puts;
    },
  };
}

describe("exam recordings kept offline", () => {
  it("are sent in chunks, resume from the server's offset after going offline, and arrive whole", async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) % 251);
    const srv = server(1000);
    await keep({
      key: "r1",
      person_id: "p",
      item_key: "mem:02-01",
      blob: new Blob([bytes], { type: "video/webm" }),
      type: "video/webm",
      recorded_at: 1,
    });
    srv.offlineAfter(4);
    const first = await drain(srv.api);
    expect(first[0]!.state).toBe("waiting");
    expect(first[0]!.sent).toBe(4000);

    srv.online();
    const before = srv.puts;
    const after = await drain(srv.api);
    expect(after[0]!.state).toBe("done");
    expect(after[0]!.video_id).toBe("v1");
    expect(srv.puts - before).toBe(6); // the 6 missing chunks, nothing sent twice
    expect(Array.from(srv.sessions.get("u1")!.data)).toEqual(Array.from(bytes));
    expect((await recordings())[0]!.blob.size).toBe(0); // the phone's copy is dropped once stored
  });
});
