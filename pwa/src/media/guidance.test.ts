import { describe, expect, it } from "vitest";

import { type Action, advise, type FaceView, nextStep } from "./guidance";

const still: FaceView = { size: 0.4, yaw: 0, blinking: false, mouthOpenPercent: 5 };

describe("liveness guidance", () => {
  it("asks for a face, then a closer one, then the action", () => {
    expect(advise(null, "blink")).toBe("noFace");
    expect(advise({ ...still, size: 0.1 }, "blink")).toBe("closer");
    expect(advise(still, "blink")).toBe("do");
    expect(advise({ ...still, yaw: 0.6 }, "open_mouth")).toBe("centre");
  });

  it("recognises each action (the person's left is a positive yaw)", () => {
    expect(advise({ ...still, blinking: true }, "blink")).toBe("done");
    expect(advise({ ...still, yaw: 0.5 }, "turn_left")).toBe("done");
    expect(advise({ ...still, yaw: 0.5 }, "turn_right")).toBe("do");
    expect(advise({ ...still, yaw: -0.5 }, "turn_right")).toBe("done");
    expect(advise({ ...still, mouthOpenPercent: 45 }, "open_mouth")).toBe("done");
  });

  it("moves to the next action only when the current one is seen", () => {
    const actions: Action[] = ["turn_left", "blink"];
    expect(nextStep(0, still, actions)).toBe(0);
    expect(nextStep(0, { ...still, blinking: true }, actions)).toBe(0);
    expect(nextStep(0, { ...still, yaw: 0.5 }, actions)).toBe(1);
    expect(nextStep(1, { ...still, blinking: true }, actions)).toBe(2);
    expect(nextStep(2, null, actions)).toBe(2);
  });
});
