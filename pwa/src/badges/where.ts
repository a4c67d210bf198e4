// Where a scan happened: the device's position when the browser grants geolocation, taken with a
// short timeout after the verdict is shown (it never delays the verdict), else the chosen place.

/** How long the scan log waits for a position before recording the scan without one. */
export const LOCATE_TIMEOUT_MS = 3000;
/** A position this recent (from an earlier scan, say) is good enough. */
export const LOCATE_MAX_AGE_MS = 60_000;

export interface Position {
  lat: number;
  lon: number;
  accuracy: number; // metres
}

/** The device's position, or null when geolocation is missing, refused, failing or too slow.
 * Our own timer also covers a permission prompt left unanswered (the browser's `timeout` does not). */
export function locate(geo: Geolocation | undefined, timeoutMs = LOCATE_TIMEOUT_MS): Promise<Position | null> {
  if (!geo) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    const done = (p: Position | null) => {
      clearTimeout(timer);
      resolve(p);
    };
    try {
      geo.getCurrentPosition(
        (pos) => done({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy }),
        () => done(null),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: LOCATE_MAX_AGE_MS },
      );
    } catch {
      done(null);
    }
  });
}

export interface ScanWhere {
  place: string;
  lat?: number;
  lon?: number;
  accuracy?: number;
}

/** The `badge.scan` args for where: the position if any (accuracy to 0.1 m), and the place
 * the inspector chose (or the picked permit's area) in any case, cut to what the server takes. */
export function scanWhere(pos: Position | null, place: string): ScanWhere {
  const out: ScanWhere = { place: place.trim().slice(0, 120) };
  if (pos && Number.isFinite(pos.lat) && Number.isFinite(pos.lon) && Math.abs(pos.lat) <= 90 && Math.abs(pos.lon) <= 180) {
    out.lat = pos.lat;
    out.lon = pos.lon;
    if (Number.isFinite(pos.accuracy) && pos.accuracy >= 0) out.accuracy = Math.min(100_000, Math.round(pos.accuracy * 10) / 10);
  }
  return out;
}
