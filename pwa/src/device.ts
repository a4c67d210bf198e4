/**
 * Who this device is and what time it thinks it is, sent with every API request so the audit log
 * keeps them as evidence beside (never instead of) the server's time. The clock is a hybrid logical
 * clock: wall time, bumped by a counter whenever the wall clock stalls or steps back. The sync layer
 * will also advance it from the times it receives.
 */

import { safeStorage, type KeyValueStorage } from "./store";

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

export class HybridClock {
  private wall = 0;
  private counter = 0;

  constructor(
    private readonly node: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `2026-11-28T08:03:00.120Z-0002-<node>`: sorts by time, then counter, then device. */
  now(): string {
    const physical = this.clock();
    if (physical > this.wall) {
      this.wall = physical;
      this.counter = 0;
    } else {
      this.counter += 1;
    }
    return `${new Date(this.wall).toISOString()}-${this.counter.toString(16).padStart(4, "0")}-${this.node}`;
  }
}

let clock: HybridClock | null = null;

/** The headers of one request; the device id is created on first use and remembered. */
export function deviceHeaders(): Record<string, string> {
  const id = deviceId();
  clock ??= new HybridClock(id.slice(0, 8));
  return { [DEVICE_HEADER]: id, [HLC_HEADER]: clock.now() };
}
