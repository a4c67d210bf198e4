/** Time on the exam screens: the minimum length the server asks for, and m:ss. */

export const MIN_EXAM_S = 180; // TEZUO_EXAM_MIN_SECONDS' default; the server decides

export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The assessor's marks in video order, each step once (a later mark of a step replaces it). */
export function mark(marks: { step: string; at_s: number }[], step: string, at: number) {
  return [...marks.filter((m) => m.step !== step), { step, at_s: Math.round(at * 10) / 10 }].sort((a, b) => a.at_s - b.at_s);
}
