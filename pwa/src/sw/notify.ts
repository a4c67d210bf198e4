/** Pure pieces of alarm notifications: push payload → notification options, server answer → outbox verdict. */

export interface AlarmAction {
  action: string;
  title: string;
}

/** The alarm push payload (backend/alarms/service.py push_payload), as far as the worker reads it. */
export interface PushPayload {
  v?: number;
  type?: string;
  alarm_id?: string;
  person_id?: string; // the recipient (added per device when sent): whose sync outbox an offline 确认 goes to
  tier?: number;
  title?: string;
  body?: string;
  tag?: string;
  url?: string;
  require_interaction?: boolean;
  vibrate?: number[];
  sound?: boolean;
  image?: string | null;
  raised_at?: string;
  actions?: AlarmAction[];
  texts?: Record<string, string>;
  lang?: string;
}

/** NotificationOptions with the members TypeScript's lib leaves out (actions, image, vibrate…). */
export interface AlarmNotificationOptions {
  body: string;
  tag: string;
  data: PushPayload;
  requireInteraction: boolean;
  renotify: boolean;
  silent: boolean;
  vibrate?: number[];
  actions: AlarmAction[];
  icon: string;
  badge: string;
  image?: string;
  timestamp?: number;
}

export const APP_NAME = "特作 Tezuo";

export function parsePayload(text: string | null | undefined): PushPayload | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as PushPayload) : null;
  } catch {
    return null;
  }
}

/**
 * How an alarm is shown. The tag is the alarm: a second push of the same alarm (a retry after a
 * server crash) replaces the first notification without ringing again (`renotify: false`).
 */
export function notificationFor(msg: PushPayload, maxActions = 2): { title: string; options: AlarmNotificationOptions } {
  const options: AlarmNotificationOptions = {
    body: msg.body ?? "",
    tag: msg.tag ?? (msg.alarm_id ? `alarm:${msg.alarm_id}` : "tezuo"),
    data: msg,
    requireInteraction: Boolean(msg.require_interaction),
    renotify: false,
    silent: !msg.sound && !(msg.vibrate && msg.vibrate.length),
    actions: (msg.actions ?? []).slice(0, maxActions),
    icon: "/icons/icon-192.png",
    badge: "/icons/maskable-192.png",
  };
  if (msg.vibrate && msg.vibrate.length) options.vibrate = msg.vibrate;
  if (msg.image) options.image = msg.image;
  const at = msg.raised_at ? Date.parse(msg.raised_at) : NaN;
  if (!Number.isNaN(at)) options.timestamp = at;
  return { title: msg.title || APP_NAME, options };
}

export type Verdict =
  | "done" // the server has it (or it no longer matters): drop from the outbox
  | "rejected" // the server said no for good: drop, and tell the person
  | "sign-in" // no session: keep, and ask the person to open the app
  | "retry"; // offline or the server is unwell: keep for the next sync

/** What to do with an outbox operation after the server answered with `status` (0: no answer). */
export function verdictOf(status: number): Verdict {
  if (status >= 200 && status < 300) return "done";
  if (status === 401) return "sign-in";
  if (status === 0 || status === 408 || status === 429 || status >= 500) return "retry";
  return "rejected";
}
