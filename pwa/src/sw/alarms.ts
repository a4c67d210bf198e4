/// <reference lib="webworker" />
/** Alarm notifications in the worker: show pushes, act on 确认 / 查看 (from the lock screen); an
 *  acknowledgement made without signal goes into the person's sync outbox (`alarm.ack`, guarded). */

import { notificationFor, parsePayload, type PushPayload, verdictOf, APP_NAME } from "./notify";
import { addOperation, type Operation, pendingOperations, removeOperation } from "./outbox";
import { SYNC_TAG as SYNC_OUTBOX_TAG } from "./replay";
import { recordSyncOp } from "./syncop";

declare const self: ServiceWorkerGlobalScope;

/** The outbox of earlier releases (REST replay): still drained, no longer written. */
export const SYNC_TAG = "tezuo-outbox";

interface SyncManager {
  register(tag: string): Promise<void>;
}
interface SyncEventLike extends ExtendableEvent {
  tag: string;
  lastChance: boolean;
}

async function tellPages(message: unknown): Promise<void> {
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage(message);
  }
}

export async function showPush(data: PushMessageData | null): Promise<void> {
  const msg = parsePayload(data?.text());
  if (!msg) {
    // A push must show something (userVisibleOnly); this one we cannot read.
    await self.registration.showNotification(APP_NAME, { tag: "tezuo" });
    return;
  }
  const { title, options } = notificationFor(msg);
  await self.registration.showNotification(title, options as NotificationOptions);
  await tellPages({ type: "PUSH", message: msg });
  await replay(); // a push arrived, so we are online: send what waited
}

function endpointOf(op: Operation): { path: string; body: Record<string, unknown> } {
  if (op.kind === "alarm.ack") {
    return { path: `/api/alarms/${op.entity_id}/ack`, body: { op_id: op.op_id, ...op.args } };
  }
  return { path: "/api/alarms/sos", body: op.args };
}

async function send(op: Operation): Promise<number> {
  const { path, body } = endpointOf(op);
  try {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    return response.status;
  } catch {
    return 0;
  }
}

async function notice(op: Operation, key: string): Promise<void> {
  const text = op.texts?.[key];
  if (text) await self.registration.showNotification(text, { body: op.title ?? "", tag: `${key}:${op.entity_id}` });
}

/** Send every waiting operation; true when nothing is left to retry. */
export async function replay(): Promise<boolean> {
  let clean = true;
  for (const op of await pendingOperations()) {
    const verdict = verdictOf(await send(op));
    if (verdict === "done" || verdict === "rejected") {
      await removeOperation(op.op_id);
      if (verdict === "rejected") await notice(op, "ack_rejected"); // never a silent drop (SYNC.md)
      await tellPages({ type: "OUTBOX", op_id: op.op_id, verdict });
    } else {
      clean = false;
      if (verdict === "sign-in") await notice(op, "sign_in");
    }
  }
  return clean;
}

export async function queue(op: Operation): Promise<boolean> {
  await addOperation(op);
  const sent = await replay();
  if (!sent) {
    const sync = (self.registration as ServiceWorkerRegistration & { sync?: SyncManager }).sync;
    await sync?.register(SYNC_TAG).catch(() => undefined);
  }
  return sent;
}

async function registerSync(tag: string): Promise<void> {
  const sync = (self.registration as ServiceWorkerRegistration & { sync?: SyncManager }).sync;
  await sync?.register(tag).catch(() => undefined);
}

/** 确认 on the notification: answered at once when there is signal; without it, recorded in the
 *  recipient's sync outbox and sent by Background Sync, the open app, or the next app start. */
async function acknowledge(notification: Notification, msg: PushPayload): Promise<void> {
  notification.close();
  const alarmId = msg.alarm_id!;
  const args = { acked_on_device_at: new Date().toISOString() };
  const pseudo: Operation = {
    op_id: crypto.randomUUID(),
    kind: "alarm.ack",
    entity: "alarm",
    entity_id: alarmId,
    args,
    created_at: args.acked_on_device_at,
    texts: msg.texts ?? {},
    title: notification.title,
  };
  const verdict = verdictOf(await send(pseudo));
  if (verdict === "done") {
    await tellPages({ type: "OUTBOX", op_id: pseudo.op_id, verdict });
    return;
  }
  if (verdict === "rejected") return notice(pseudo, "ack_rejected");
  if (verdict === "sign-in") return notice(pseudo, "sign_in");
  const queued = msg.person_id
    ? await recordSyncOp(indexedDB, msg.person_id, "alarm.ack", "alarm", alarmId, args).catch(() => null)
    : null;
  if (!queued) return notice(pseudo, "sign_in"); // never signed in on this phone: nothing to queue into
  await registerSync(SYNC_OUTBOX_TAG);
  await tellPages({ type: SYNC_OUTBOX_TAG }); // an open page sends it as soon as it can
  await notice(pseudo, "ack_queued");
}

async function openPage(url: string): Promise<void> {
  const target = new URL(url, self.location.origin).href;
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    if ("focus" in client) {
      // Navigate first: a browser that does not let this click focus the window (no user
      // activation left) must still show the page the notification is about.
      await (client as WindowClient).navigate(target).catch(() => undefined);
      await (client as WindowClient).focus().catch(() => undefined);
      return;
    }
  }
  await self.clients.openWindow(target);
}

export function onNotificationClick(event: NotificationEvent): void {
  const msg = (event.notification.data ?? {}) as PushPayload;
  if (event.action === "ack" && msg.alarm_id) {
    event.waitUntil(acknowledge(event.notification, msg));
    return;
  }
  event.notification.close();
  event.waitUntil(openPage(msg.url ?? "/"));
}

export function onSync(event: SyncEventLike): void {
  if (event.tag !== SYNC_TAG) return;
  // A rejected promise makes the browser try the sync again later, with its own backoff.
  event.waitUntil(
    replay().then((clean) => {
      if (!clean && !event.lastChance) throw new Error("outbox not empty yet");
    }),
  );
}

export function onMessage(data: { type?: string; op?: Operation } | null, waitUntil: (p: Promise<unknown>) => void): boolean {
  if (data?.type === "QUEUE_OP" && data.op) {
    waitUntil(queue(data.op));
    return true;
  }
  if (data?.type === "REPLAY_OUTBOX") {
    waitUntil(replay());
    return true;
  }
  return false;
}
