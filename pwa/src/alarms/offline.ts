/** Writes that must survive no signal: acknowledge and SOS go to the service worker's outbox when offline. */

import { NetworkError } from "../api";
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

/** Hands the operation to the worker (it replays on `sync`, on the next push, and at start-up). */
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
    const op: QueuedOp = {
      op_id: crypto.randomUUID(),
      kind: "alarm.ack",
      entity: "alarm",
      entity_id: id,
      args: { acked_on_device_at: new Date().toISOString() },
      created_at: new Date().toISOString(),
      texts,
      title,
    };
    if (err instanceof NetworkError && queueInWorker(op)) return "queued";
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
    if (err instanceof NetworkError && queueInWorker(op)) return { status: "queued", recipients: null };
    throw err;
  }
}
