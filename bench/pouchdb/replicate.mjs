// The PouchDB side of `tezuo bench sync`: the same offline ops, one document each, held by N
// local PouchDBs (in memory, like the Python devices) and replicated concurrently into one
// database of a pouchdb-server on loopback. Prints one JSON line of figures.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import PouchDB from "pouchdb";
import memory from "pouchdb-adapter-memory";

PouchDB.plugin(memory);

const { values } = parseArgs({
  options: { url: { type: "string" }, ops: { type: "string" }, batch: { type: "string", default: "100" } },
});
const devices = JSON.parse(readFileSync(values.ops, "utf8"));
const batch = Number(values.batch);

const locals = devices.map((_, i) => new PouchDB(`device-${i}`, { adapter: "memory" }));
await Promise.all(locals.map((db, i) => db.bulkDocs(devices[i].map((op) => ({ _id: op.op_id, ...op })))));
const remote = new PouchDB(values.url);
await remote.info();

let started = performance.now();
await Promise.all(locals.map((db) => db.replicate.to(remote, { batch_size: batch })));
const pushSeconds = (performance.now() - started) / 1000;
const docs = (await remote.info()).doc_count;

// every device then pulls what the others sent (PouchDB has no server-side scopes)
started = performance.now();
await Promise.all(locals.map((db) => db.replicate.from(remote, { batch_size: batch })));
const pullSeconds = (performance.now() - started) / 1000;

console.log(JSON.stringify({ docs, push_seconds: pushSeconds, pull_seconds: pullSeconds }));
