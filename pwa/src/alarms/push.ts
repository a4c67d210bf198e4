/** Alarm notifications on this device: permission, the PushManager subscription, its registration with the server. */

import { base64urlToBuffer, bufferToBase64url } from "../b64url";
import { safeStorage } from "../store";
import { alarms } from "./client";

export type PushStatus = "unsupported" | "denied" | "off" | "on";
const DEVICE_KEY = "tezuo.push.device";

export function pushSupported(): boolean {
  return typeof window !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

export async function pushStatus(): Promise<PushStatus> {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  return subscription && safeStorage.get(DEVICE_KEY) ? "on" : "off";
}

/** Subscribe (or renew) and tell the server; the device id it gives back keeps re-subscriptions on one device. */
export async function enablePush(client = alarms): Promise<PushStatus> {
  if (!pushSupported()) return "unsupported";
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission === "denied" ? "denied" : "off";
  const registration = await navigator.serviceWorker.ready;
  const { public_key } = await client.vapidKey();
  let subscription = await registration.pushManager.getSubscription();
  const key = subscription?.options.applicationServerKey;
  if (subscription && (!key || bufferToBase64url(key) !== public_key)) {
    await subscription.unsubscribe(); // made for another server key: useless here
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: base64urlToBuffer(public_key),
  });
  const answer = await client.subscribe(subscription.toJSON(), safeStorage.get(DEVICE_KEY));
  safeStorage.set(DEVICE_KEY, answer.device_id);
  return "on";
}

/** On sign-out: the next person on a shared phone must not get this person's alarms. */
export async function disablePush(client = alarms): Promise<void> {
  const device = safeStorage.get(DEVICE_KEY);
  safeStorage.remove(DEVICE_KEY);
  if (device) await client.unsubscribe(device).catch(() => undefined);
  if (!pushSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration();
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}
