import { describe, expect, it } from "vitest";

import { clock, mark } from "./examTime";

describe("exam time", () => {
  it("shows m:ss", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(180)).toBe("3:00");
    expect(clock(61.9)).toBe("1:01");
  });
  it("keeps one mark per step, in video order", () => {
    let marks = mark([], "收弧", 170.04);
    marks = mark(marks, "引弧", 3.26);
    marks = mark(marks, "收弧", 175);
    expect(marks).toEqual([
      { step: "引弧", at_s: 3.3 },
      { step: "收弧", at_s: 175 },
    ]);
  });
});
