/** Last-writer-wins and clock-skew rules (twin of sync/rules.py). */

export const SKEW_TOLERANCE_MS = 60_000;

/** When a write happened: the server's estimate (`at`), the device's HLC, the device ("" = server). */
export interface Stamp {
  at: number;
  hlc: string;
  device: string;
}

export function clockSkew(sentAt: number | null | undefined, serverNow: number): number {
  if (sentAt === null || sentAt === undefined) return 0;
  const skew = sentAt - serverNow;
  return Math.abs(skew) > SKEW_TOLERANCE_MS ? skew : 0;
}

export function effectiveMs(hlcWall: number, skew: number, receivedMs: number): number {
  return Math.min(hlcWall - skew, receivedMs);
}

/** Does `next` win over `old`? A device never loses to its own earlier write. */
export function newer(next: Stamp, old: Stamp | undefined): boolean {
  if (!old) return true;
  if (next.device && next.device === old.device) return next.hlc > old.hlc;
  if (next.at !== old.at) return next.at > old.at;
  return next.device > old.device;
}

export function lwwMerge(
  stamps: Record<string, Stamp>,
  changes: Record<string, unknown>,
  stamp: Stamp,
): { won: Record<string, unknown>; lost: string[] } {
  const won: Record<string, unknown> = {};
  const lost: string[] = [];
  for (const [name, value] of Object.entries(changes)) {
    if (newer(stamp, stamps[name])) won[name] = value;
    else lost.push(name);
  }
  return { won, lost: lost.sort() };
}
