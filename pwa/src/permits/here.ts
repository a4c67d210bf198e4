/** Where the phone is, for on-site approval and 验票 (GB 30871-2022 §4.11 a); null when unknown. */

import type { Location } from "./api";

export function here(timeoutMs = 10000): Promise<Location | null> {
  if (typeof navigator === "undefined" || !navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        resolve({
          lat_e6: Math.round(pos.coords.latitude * 1e6),
          lon_e6: Math.round(pos.coords.longitude * 1e6),
          accuracy_m: Math.round(pos.coords.accuracy || 0),
        }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 },
    );
  });
}
