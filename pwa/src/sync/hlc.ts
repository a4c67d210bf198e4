/** Hybrid logical clocks (twin of sync/hlc.py): a device's own total order, safe across clock steps. */

const WALL_DIGITS = 13;
const COUNTER_DIGITS = 5;
export const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;

export interface Hlc {
  wall: number;
  counter: number;
  node: string;
}

/** Fixed widths make the text sort exactly like (wall, counter, node). */
export function formatHlc(hlc: Hlc): string {
  return `${String(hlc.wall).padStart(WALL_DIGITS, "0")}:${String(hlc.counter).padStart(COUNTER_DIGITS, "0")}:${hlc.node}`;
}

export function parseHlc(text: string): Hlc {
  const first = text.indexOf(":");
  const second = text.indexOf(":", first + 1);
  const wall = text.slice(0, first);
  const counter = text.slice(first + 1, second);
  const node = text.slice(second + 1);
  if (first < 0 || second < 0 || wall.length !== WALL_DIGITS || counter.length !== COUNTER_DIGITS || !node) {
    throw new SyntaxError(`not an HLC: ${JSON.stringify(text)}`);
  }
  if (!/^\d+$/.test(wall) || !/^\d+$/.test(counter)) throw new SyntaxError(`not an HLC: ${JSON.stringify(text)}`);
  return { wall: Number(wall), counter: Number(counter), node };
}

/** Every `tick` is later than the one before. Server time is deliberately not mixed in: the server
 *  corrects each device's clock skew when it pushes (rules.ts clockSkew). */
export class HlcClock {
  last: Hlc;

  constructor(
    readonly node: string,
    last?: Hlc,
  ) {
    this.last = last ?? { wall: 0, counter: 0, node };
  }

  tick(nowMs: number): Hlc {
    const now = Math.floor(nowMs);
    if (now > this.last.wall) this.last = { wall: now, counter: 0, node: this.node };
    else if (this.last.counter < MAX_COUNTER) this.last = { ...this.last, counter: this.last.counter + 1 };
    else this.last = { wall: this.last.wall + 1, counter: 0, node: this.node };
    return this.last;
  }
}
