/** The running sync engine of the signed-in person, its replay triggers, and the Preact hook. */

import { useEffect, useState } from "preact/hooks";

import { bufferToBase64url } from "../b64url";
import { getPasskey, deviceLabel } from "../passkey";
import { createStore, useStore } from "../store";
import { type Signer, SyncEngine, type SyncStatus } from "./engine";
import { HttpTransport } from "./transport";

export const SYNC_TAG = "tezuo-sync";
const TIMER_MS = 60_000;

export const engineStore = createStore<SyncEngine | null>(null);

/** The approver's passkey signs the op's hash; works offline (the authenticator is on the phone). */
export const passkeySigner: Signer = async (challenge) => {
  const assertion = await getPasskey({ challenge: bufferToBase64url(challenge), userVerification: "required", timeout: 120_000 });
  return assertion as unknown as Record<string, unknown>;
};

let stopTriggers: (() => void) | null = null;
let opening: Promise<SyncEngine> | null = null;

function installTriggers(engine: SyncEngine): () => void {
  const sync = () => void engine.sync();
  const onVisible = () => {
    if (document.visibilityState === "visible") sync();
  };
  const onMessage = (event: MessageEvent) => {
    if ((event.data as { type?: string } | null)?.type === SYNC_TAG) sync();
  };
  window.addEventListener("online", sync);
  document.addEventListener("visibilitychange", onVisible);
  navigator.serviceWorker?.addEventListener("message", onMessage);
  const timer = setInterval(sync, TIMER_MS);
  return () => {
    window.removeEventListener("online", sync);
    document.removeEventListener("visibilitychange", onVisible);
    navigator.serviceWorker?.removeEventListener("message", onMessage);
    clearInterval(timer);
  };
}

/** Open (or keep) the engine of this person and start replaying: now, on `online`, when visible,
 *  every minute, and when the service worker's Background Sync fires. */
export async function startSync(personId: string): Promise<SyncEngine> {
  const current = engineStore.get();
  if (current?.personId === personId) return current;
  if (opening) return opening;
  stopSync();
  opening = SyncEngine.open(personId, new HttpTransport(), {
    signer: passkeySigner,
    deviceName: deviceLabel(navigator.userAgent),
    onBlocking: () => location.reload(),
  });
  try {
    const engine = await opening;
    engineStore.set(engine);
    stopTriggers = installTriggers(engine);
    void engine.sync();
    return engine;
  } finally {
    opening = null;
  }
}

/** Sign-out: stop replaying. The queue stays on the phone for when this person signs in again. */
export function stopSync(): void {
  stopTriggers?.();
  stopTriggers = null;
  engineStore.get()?.close();
  engineStore.set(null);
}

/** Ask the browser to wake the service worker when the network is back, even if the app is closed. */
export async function requestBackgroundSync(): Promise<void> {
  try {
    const registration = (await navigator.serviceWorker?.ready) as
      | (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })
      | undefined;
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // not supported (Firefox, Safari) or not allowed: the page's own triggers still replay
  }
}

/** Record an op and try to send it right away; offline it simply waits in the outbox. */
export async function recordOp(...args: Parameters<SyncEngine["record"]>): Promise<void> {
  const engine = engineStore.get();
  if (!engine) throw new Error("sync is not running");
  await engine.record(...args);
  void requestBackgroundSync();
  void engine.sync();
}

export interface SyncSnapshot {
  engine: SyncEngine | null;
  status: SyncStatus | null;
  view: SyncEngine["view"];
  versions: SyncEngine["versions"];
  pendingKeys: SyncEngine["pendingKeys"];
}

/** The engine's status and optimistic view, re-rendered whenever either changes. */
export function useSync(): SyncSnapshot {
  const engine = useStore(engineStore);
  const [, setTick] = useState(0);
  useEffect(() => engine?.subscribe(() => setTick((n) => n + 1)), [engine]);
  return {
    engine,
    status: engine?.status ?? null,
    view: engine?.view ?? new Map(),
    versions: engine?.versions ?? new Map(),
    pendingKeys: engine?.pendingKeys ?? new Set(),
  };
}
