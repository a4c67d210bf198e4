/** Exam recordings kept on the phone (IndexedDB) until the server has them: a recording made
 * offline waits here; `drain` sends each one in chunks at the server's offset, and after an
 * interruption (offline, app closed, a lost answer) asks the server where to go on. */

import { openDB, type IDBPDatabase } from "idb";

import { api, ApiError, NetworkError, type Api } from "../api";
import { cancelUpload, completeUpload, openUpload, putChunk, uploadState, type ExamVideo } from "./examClient";

export interface Recording {
  key: string; // local id
  person_id: string;
  item_key: string;
  blob: Blob;
  type: string;
  recorded_at: number;
  upload_id: string | null; // the server's session, once opened
  sent: number; // bytes the server confirmed last
  state: "waiting" | "done" | "refused";
  message: string; // the server's reason when refused
  video_id: string | null;
}

let opened: Promise<IDBPDatabase> | null = null;
function db(): Promise<IDBPDatabase> {
  opened ??= openDB("tezuo-exam-recordings", 1, {
    upgrade(d) {
      d.createObjectStore("recordings", { keyPath: "key" });
    },
  });
  return opened;
}

export async function keep(rec: Omit<Recording, "upload_id" | "sent" | "state" | "message" | "video_id">): Promise<Recording> {
  const full: Recording = { ...rec, upload_id: null, sent: 0, state: "waiting", message: "", video_id: null };
  await (await db()).put("recordings", full);
  return full;
}

export async function recordings(): Promise<Recording[]> {
  const all = (await (await db()).getAll("recordings")) as Recording[];
  return all.sort((a, b) => a.recorded_at - b.recorded_at);
}

async function save(rec: Recording): Promise<void> {
  await (await db()).put("recordings", rec);
}

export async function forget(key: string): Promise<void> {
  await (await db()).delete("recordings", key);
}

/** Codes after which sending the same bytes again cannot help: the recording is refused. */
const FINAL = (err: ApiError) => err.status !== 409 && err.status !== 404 && err.status < 500;

async function sendOne(rec: Recording, client: Api, onProgress?: (rec: Recording) => void): Promise<ExamVideo> {
  if (!rec.upload_id) {
    const up = await openUpload(
      { person_id: rec.person_id, item_key: rec.item_key, size: rec.blob.size, content_type: rec.type },
      client,
    );
    rec.upload_id = up.id;
    rec.sent = 0;
    await save(rec);
  }
  const id = rec.upload_id;
  let state = await uploadState(id, client); // resume from what the server holds, not from memory
  let offset = state.offset;
  while (offset < rec.blob.size) {
    const chunk = rec.blob.slice(offset, Math.min(offset + state.chunk_max, rec.blob.size));
    try {
      state = await putChunk(id, offset, chunk, client);
    } catch (err) {
      if (err instanceof ApiError && err.code === "upload_offset_mismatch") {
        state = await uploadState(id, client);
      } else throw err;
    }
    offset = state.offset;
    rec.sent = offset;
    await save(rec);
    onProgress?.(rec);
  }
  return completeUpload(id, client);
}

/** Send every waiting recording; stops quietly when the network goes (the next `online` event
 * or app start calls it again). Returns the recordings as they now stand. */
export async function drain(client: Api = api, onProgress?: (rec: Recording) => void): Promise<Recording[]> {
  for (const rec of await recordings()) {
    if (rec.state !== "waiting") continue;
    try {
      const video = await sendOne(rec, client, onProgress);
      Object.assign(rec, { state: "done", video_id: video.id, blob: new Blob([]), message: "" });
      await save(rec);
    } catch (err) {
      if (err instanceof NetworkError) break;
      if (err instanceof ApiError && err.code === "upload_unknown") {
        Object.assign(rec, { upload_id: null, sent: 0 }); // expired on the server: start over
        await save(rec);
        continue;
      }
      if (err instanceof ApiError && FINAL(err)) {
        Object.assign(rec, { state: "refused", message: err.detail });
        await save(rec);
        if (rec.upload_id) await cancelUpload(rec.upload_id, client).catch(() => undefined);
        continue;
      }
      throw err;
    }
    onProgress?.(rec);
  }
  return recordings();
}
