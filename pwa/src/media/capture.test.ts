import { describe, expect, it } from "vitest";

import { CARD_RATIO, cropRect, fitWithin, guideRect } from "./capture";

describe("framing guide", () => {
  it("is card-shaped, centred and inside the frame in portrait and landscape", () => {
    for (const [w, h] of [
      [1280, 720],
      [720, 1280],
      [640, 480],
    ] as const) {
      const g = guideRect(w, h);
      expect(g.width / g.height).toBeCloseTo(CARD_RATIO, 5);
      expect(g.x).toBeCloseTo(w - g.x - g.width, 5);
      expect(g.x >= 0 && g.y >= 0 && g.x + g.width <= w && g.y + g.height <= h).toBe(true);
    }
  });

  it("crops a margin around the guide without leaving the frame", () => {
    const c = cropRect(1280, 720);
    const g = guideRect(1280, 720);
    expect(c.width).toBeGreaterThan(g.width);
    expect(c.x + c.width).toBeLessThanOrEqual(1280);
    expect(c.y + c.height).toBeLessThanOrEqual(720);
  });
});

describe("client-side resize", () => {
  it("keeps the aspect ratio, caps the longest side and never upscales", () => {
    expect(fitWithin(4032, 3024)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3024, 4032)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });
});
