/** Hash routes: `#/` home (or sign-in), `#/login`, `#/enroll/<code>`, `#/permits/new`, `#/permits/<id>`,
 * `#/certificates`, `#/scan[/<person>]` (certificate photo), `#/scans[/<scan>]`, `#/liveness`,
 * `#/exam` (record a practical exam), `#/exams[/<video>]` (assessor),
 * `#/ledger[/shadow|/import]`, `#/alarms[/<id>]`, `#/board[/<site>]`,
 * `#/registry`, `#/registry/people/<id>`,
 * `#/badge` (my identity code), `#/verify` (inspector's identity-code verification),
 * `#/analytics[/<unit>]`, `#/detectors[/<unit>[/<detector>]]` (calibration, root-cause findings, acceptance),
 * `#/away[/<person>]` (外出与B角: my deputies and absences, or — for a manager — someone else's). */

import { useEffect, useState } from "preact/hooks";

export type LedgerView = "list" | "shadow" | "import";
export type Route =
  | { name: "home" }
  | { name: "login" }
  | { name: "enroll"; code: string }
  | { name: "permitNew" }
  | { name: "permit"; id: string }
  | { name: "certificates" }
  | { name: "scan"; personId: string | null }
  | { name: "scans"; scanId: string | null }
  | { name: "liveness" }
  | { name: "exam" }
  | { name: "exams"; videoId: string | null }
  | { name: "ledger"; view: LedgerView }
  | { name: "alarms" }
  | { name: "alarm"; id: string }
  | { name: "board"; siteId: string | null }
  | { name: "registry" }
  | { name: "registryHistory"; personId: string }
  | { name: "badge" }
  | { name: "verify" }
  | { name: "analytics"; unitId: string | null }
  | { name: "detectors"; unitId: string | null; detectorId: string | null }
  | { name: "away"; personId: string | null };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

const ID = /^[0-9a-f-]{36}$/i;

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "");
  const [head = "", ...rest] = path.split("/");
  if (head === "login") return { name: "login" };
  if (head === "enroll" && rest[0]) return { name: "enroll", code: decode(rest[0]) };
  if (head === "permits" && rest[0] === "new") return { name: "permitNew" };
  if (head === "permits" && rest[0]) return { name: "permit", id: decode(rest[0]) };
  if (head === "certificates") return { name: "certificates" };
  if (head === "scan") return { name: "scan", personId: rest[0] && ID.test(rest[0]) ? rest[0] : null };
  if (head === "liveness") return { name: "liveness" };
  if (head === "exam") return { name: "exam" };
  if (head === "exams") return { name: "exams", videoId: rest[0] && ID.test(rest[0]) ? rest[0] : null };
  if (head === "scans") return { name: "scans", scanId: rest[0] && ID.test(rest[0]) ? rest[0] : null };
  if (head === "ledger") return { name: "ledger", view: rest[0] === "shadow" || rest[0] === "import" ? rest[0] : "list" };
  if (head === "alarms") return rest[0] && ID.test(rest[0]) ? { name: "alarm", id: rest[0] } : { name: "alarms" };
  if (head === "registry") {
    return rest[0] === "people" && rest[1] && ID.test(rest[1]) ? { name: "registryHistory", personId: rest[1] } : { name: "registry" };
  }
  if (head === "badge") return { name: "badge" };
  if (head === "verify") return { name: "verify" };
  if (head === "analytics") return { name: "analytics", unitId: rest[0] && ID.test(rest[0]) ? rest[0] : null };
  if (head === "detectors") {
    const unitId = rest[0] && ID.test(rest[0]) ? rest[0] : null;
    return { name: "detectors", unitId, detectorId: unitId && rest[1] && ID.test(rest[1]) ? rest[1] : null };
  }
  if (head === "away") return { name: "away", personId: rest[0] && ID.test(rest[0]) ? rest[0] : null };
  if (head === "board") return { name: "board", siteId: rest[0] && ID.test(rest[0]) ? rest[0] : null };
  return { name: "home" };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case "home":
      return "#/";
    case "login":
      return "#/login";
    case "enroll":
      return `#/enroll/${encodeURIComponent(route.code)}`;
    case "permitNew":
      return "#/permits/new";
    case "permit":
      return `#/permits/${encodeURIComponent(route.id)}`;
    case "certificates":
      return "#/certificates";
    case "scan":
      return route.personId ? `#/scan/${route.personId}` : "#/scan";
    case "scans":
      return route.scanId ? `#/scans/${route.scanId}` : "#/scans";
    case "liveness":
      return "#/liveness";
    case "exam":
      return "#/exam";
    case "exams":
      return route.videoId ? `#/exams/${route.videoId}` : "#/exams";
    case "ledger":
      return route.view === "list" ? "#/ledger" : `#/ledger/${route.view}`;
    case "alarms":
      return "#/alarms";
    case "alarm":
      return `#/alarms/${route.id}`;
    case "board":
      return route.siteId ? `#/board/${route.siteId}` : "#/board";
    case "registry":
      return "#/registry";
    case "registryHistory":
      return `#/registry/people/${route.personId}`;
    case "badge":
      return "#/badge";
    case "verify":
      return "#/verify";
    case "analytics":
      return route.unitId ? `#/analytics/${route.unitId}` : "#/analytics";
    case "away":
      return route.personId ? `#/away/${route.personId}` : "#/away";
    case "detectors":
      if (!route.unitId) return "#/detectors";
      return route.detectorId ? `#/detectors/${route.unitId}/${route.detectorId}` : `#/detectors/${route.unitId}`;
  }
}

export function go(route: Route): void {
  location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
