/**
 * Who this device is and what time it thinks it is, sent with every API request so the audit log
 * keeps them as evidence beside (never instead of) the server's time. The time is a hybrid logical
 * clock in the sync protocol's format (src/sync/hlc.ts), so it never goes backwards with the wall clock.
 */

import { safeStorage, type KeyValueStorage } from "./store";
import { formatHlc, HlcClock } from "./sync/hlc";

const DEVICE_KEY = "tezuo.device";
export const DEVICE_HEADER = "x-tezuo-device";
export const HLC_HEADER = "x-tezuo-hlc";

export function deviceId(storage: KeyValueStorage = safeStorage): string {
  let id = storage.get(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    storage.set(DEVICE_KEY, id);
  }
  return id;
}

let clock: HlcClock | null = null;

/** The headers of one request; the device id is created on first use and remembered. */
export function deviceHeaders(
  now: () => number = Date.now,
  storage: KeyValueStorage = safeStorage,
): Record<string, string> {
  const id = deviceId(storage);
  if (clock?.node !== id) clock = new HlcClock(id);
  return { [DEVICE_HEADER]: id, [HLC_HEADER]: formatHlc(clock.tick(now())) };
}
