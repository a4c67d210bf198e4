import { describe, expect, it } from "vitest";

import { locate, scanWhere } from "./where";

type Call = (ok: PositionCallback, fail: PositionErrorCallback | null | undefined, o?: PositionOptions) => void;
// A Geolocation that answers as a browser would: with a position, an error, or never (a prompt left open).
const geo = (call: Call): Geolocation => ({ getCurrentPosition: call }) as unknown as Geolocation;
const at = (lat: number, lon: number, accuracy: number) =>
  ({ coords: { latitude: lat, longitude: lon, accuracy }, timestamp: 0 }) as unknown as GeolocationPosition;

describe("where a scan happened", () => {
  it("takes the device's position, asking for it with our timeout", async () => {
    let asked: PositionOptions | undefined;
    const pos = await locate(geo((ok, _f, o) => ((asked = o), ok(at(32.06, 118.78, 12.34)))), 500);
    expect(pos).toEqual({ lat: 32.06, lon: 118.78, accuracy: 12.34 });
    expect(asked).toMatchObject({ timeout: 500, enableHighAccuracy: true });
  });

  it("gives up on refusal, on no geolocation and on a prompt nobody answers", async () => {
    expect(await locate(geo((_ok, fail) => fail!({ code: 1 } as GeolocationPositionError)))).toBeNull();
    expect(await locate(undefined)).toBeNull();
    const started = Date.now();
    expect(await locate(geo(() => undefined), 50)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("sends the position with the chosen place, or the place alone", () => {
    expect(scanWhere({ lat: 32.06, lon: 118.78, accuracy: 12.34 }, " 罐区 T-101 ")).toEqual({
      place: "罐区 T-101",
      lat: 32.06,
      lon: 118.78,
      accuracy: 12.3,
    });
    expect(scanWhere(null, "x".repeat(200)).place.length).toBe(120);
    expect(scanWhere({ lat: 91, lon: 0, accuracy: 1 }, "")).toEqual({ place: "" });
  });
});
