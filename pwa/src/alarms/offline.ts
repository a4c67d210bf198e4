/** Writes that must survive no signal: acknowledge and SOS are sent at once when there is signal;
 *  without it they become sync operations (`alarm.ack` guarded, `alarm.sos` append) in the person's
 *  sync outbox, replayed like every other op and decided by the server when they arrive. */

import { NetworkError } from "../api";
import type { SyncEngine } from "../sync/engine";
import { engineStore, requestBackgroundSync } from "../sync/live";
import { alarms, type SosBody } from "./client";
import { uuid7 } from "./view";

export type Sent = "sent" | "queued";

interface QueuedOp {
  op_id: string;
  kind: "alarm.ack" | "alarm.sos";
  entity: "alarm";
  entity_id: string;
  args: Record<string, unknown>;
  created_at: string;
  texts: Record<string, string>;
  title: string;
}

/** The running sync engine, if it decides `kind` (an older server would defer the op for ever). */
export function syncFor(kind: string, engine: SyncEngine | null = engineStore.get()): SyncEngine | null {
  return engine && engine.commands.has(kind) ? engine : null;
}

/** Record in the sync outbox; false when there is no engine that can take it. */
export async function recordOffline(
  kind: "alarm.ack" | "alarm.sos",
  alarmId: string,
  args: Record<string, unknown>,
  engine: SyncEngine | null = syncFor(kind),
): Promise<boolean> {
  if (!engine) return false;
  await engine.record(kind, "alarm", alarmId, args);
  void requestBackgroundSync(); // sent when the network is back, even with the app closed
  void engine.sync(); // a blip rather than a tunnel: it goes now
  return true;
}

/** The outbox of earlier releases, in the worker: only where no sync engine runs. */
export function queueInWorker(op: QueuedOp): boolean {
  const worker = typeof navigator !== "undefined" ? navigator.serviceWorker?.controller : null;
  if (!worker) return false;
  worker.postMessage({ type: "QUEUE_OP", op });
  return true;
}

export function replayOutbox(): void {
  navigator.serviceWorker?.controller?.postMessage({ type: "REPLAY_OUTBOX" });
}

export async function acknowledge(id: string, texts: Record<string, string>, title: string): Promise<Sent> {
  try {
    await alarms.ack(id);
    return "sent";
  } catch (err) {
    if (!(err instanceof NetworkError)) throw err;
    const args = { acked_on_device_at: new Date().toISOString() };
    if (await recordOffline("alarm.ack", id, args)) return "queued";
    const op: QueuedOp = {
      op_id: crypto.randomUUID(),
      kind: "alarm.ack",
      entity: "alarm",
      entity_id: id,
      args,
      created_at: args.acked_on_device_at,
      texts,
      title,
    };
    if (queueInWorker(op)) return "queued";
    throw err;
  }
}

function position(timeoutMs = 5000): Promise<Pick<SosBody, "gps" | "accuracy_m">> {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve({});
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ gps: { lat: p.coords.latitude, lon: p.coords.longitude }, accuracy_m: p.coords.accuracy }),
      () => resolve({}), // no fix in a tank: the SOS goes anyway, located by the person's site
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}

/** The SOS, with a position when the phone has one; `recipients` is how many people it reached (null: queued). */
export async function raiseSos(
  texts: Record<string, string>,
  title: string,
): Promise<{ status: Sent; recipients: number | null }> {
  const body: SosBody = { alarm_id: uuid7(), raised_at: new Date().toISOString(), ...(await position()) };
  try {
    const answer = await alarms.sos(body);
    return { status: "sent", recipients: answer.recipients };
  } catch (err) {
    if (!(err instanceof NetworkError)) throw err;
    const { alarm_id: alarmId, ...args } = body; // the op's entity id is the alarm id
    if (await recordOffline("alarm.sos", alarmId, args)) return { status: "queued", recipients: null };
    const op: QueuedOp = {
      op_id: body.alarm_id,
      kind: "alarm.sos",
      entity: "alarm",
      entity_id: body.alarm_id,
      args: { ...body },
      created_at: body.raised_at,
      texts,
      title,
    };
    if (queueInWorker(op)) return { status: "queued", recipients: null };
    throw err;
  }
}
